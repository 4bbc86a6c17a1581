import { handleArtifactDownload } from '../artifacts/http-download';
import { listCompressJobs, startCompression } from '../compression/start-compression';
import { listDatasets } from '../datasets/dataset-registry';
import { handleAddDatasetRequest } from '../datasets/http-add-dataset';
import { SlimboardError } from '../errors';
import { listJobs, parseJobsQuery } from '../jobs/list-jobs';
import { handleRegisterRunRequest } from '../runs/http-register-run';
import { listRuns } from '../runs/list-runs';
import { getRunReport } from '../runs/run-report';
import { deleteRunRequest, rerunRequest } from '../runs/run-writes';
import type { ApiRouteFactory } from './api-route';

/**
 * The route handlers of the run API, built on a route wrapper (lib/http/api-route.ts). app/api/… binds them
 * to the web pipeline (one line per method); the db tests bind them to theirs, so both run the same code.
 *
 *   POST   /api/runs                 register          token
 *   GET    /api/runs[?model=<slug>]  list              public
 *   GET    /api/runs/<id>            report            public
 *   DELETE /api/runs/<id>            remove            token   (its owner or admin: else 403; 409 when others depend on the model)
 *   POST   /api/runs/<id>/rerun      rerun             token   (its owner or admin: else 403)
 *   POST   /api/runs/<id>/compress   compress          token   (202 with the compress job; body: ZCompressRequest)
 *   GET    /api/runs/<id>/compress   compressJobs      public  (the run's compress jobs and the runs they made)
 *   GET    /api/artifacts/<sha256>   download (+HEAD)  public
 *   GET    /api/jobs[?run=<id>]      jobs              public
 *   POST   /api/datasets?name=…&format=…  addDataset  token   (body: tar archive of the folder; lib/datasets/http-add-dataset.ts)
 *   GET    /api/datasets             datasets          public
 */
export function runRoutes(apiRoute: ApiRouteFactory, o: { uploadMaxBytes: () => number }) {
  return {
    register: apiRoute({ auth: 'token' }, async ({ request, pipeline, token }) =>
      handleRegisterRunRequest(request, await pipeline(), { maxBytes: o.uploadMaxBytes(), tokenId: token.id, owner: token.owner }),
    ),
    list: apiRoute({ auth: 'public' }, async ({ request, pipeline }) => {
      const model = new URL(request.url).searchParams.get('model');
      return Response.json({ runs: await listRuns((await pipeline()).pool, 200, model ? model.slice(0, 200) : undefined) });
    }),
    report: apiRoute<{ id: string }>({ auth: 'public' }, async ({ params: { id }, pipeline }) => {
      const report = await getRunReport((await pipeline()).pool, id);
      if (!report) throw new SlimboardError('not_found', `no run with id "${id.slice(0, 80)}"`, { status: 404 });
      return Response.json({ run: report });
    }),
    remove: apiRoute<{ id: string }, 'token'>({ auth: 'token' }, async ({ params: { id }, pipeline, token }) =>
      deleteRunRequest(await pipeline(), id, token),
    ),
    rerun: apiRoute<{ id: string }, 'token'>({ auth: 'token' }, async ({ params: { id }, pipeline, token }) =>
      rerunRequest(await pipeline(), id, token),
    ),
    compress: apiRoute<{ id: string }, 'token'>({ auth: 'token' }, async ({ request, params: { id }, pipeline, token }) => {
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        throw new SlimboardError('bad_compress_request', 'request body must be JSON (a compression request: {"method": "quantize", …})');
      }
      const started = await startCompression(await pipeline(), { sourceRunId: id, request: body, door: 'api', tokenId: token.id });
      const job = { id: started.jobId, kind: 'compress', state: 'queued', url: `/jobs?run=${started.sourceRunId}` };
      const source = { runId: id, model: started.sourceModel };
      return Response.json({ job, source, inputSize: started.inputSize, request: started.request }, { status: 202 });
    }),
    addDataset: apiRoute({ auth: 'token' }, async ({ request, pipeline }) =>
      handleAddDatasetRequest(request, await pipeline(), { maxBytes: o.uploadMaxBytes() }),
    ),
    datasets: apiRoute({ auth: 'public' }, async ({ pipeline }) =>
      Response.json({ datasets: await listDatasets((await pipeline()).pool) }),
    ),
    compressJobs: apiRoute<{ id: string }>({ auth: 'public' }, async ({ params: { id }, pipeline }) =>
      Response.json({ jobs: await listCompressJobs((await pipeline()).pool, id) }),
    ),
    download: apiRoute<{ sha256: string }>({ auth: 'public' }, async ({ request, params: { sha256 }, pipeline }) => {
      const p = await pipeline();
      return handleArtifactDownload(request, sha256, p.pool, p.store);
    }),
    jobs: apiRoute({ auth: 'public' }, async ({ request, pipeline }) => {
      const query = parseJobsQuery(new URL(request.url).searchParams);
      return Response.json(await listJobs((await pipeline()).pool, { runId: query.run }));
    }),
  };
}
