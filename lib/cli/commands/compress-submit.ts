import { SlimboardError } from '../../errors';
import { modelPageUrl, publicBaseUrl } from '../../http/public-base-url';
import { parseCliArgs, requireNumberFlag } from '../args';
import { printJson, type CliCommand } from '../command';
import { parseList } from './prune';

const usage =
  'compress submit RUN|MODEL-SLUG --method quantize --calib-dataset KEY [--calib-images N] [--calibration minmax|percentile|entropy]\n' +
  '    [--percentile P] [--exclude NODE,NODE] [--input-size S] [--name NAME] [--wait] [--timeout SECONDS] [--json]\n' +
  'compress submit RUN|MODEL-SLUG --method prune --params a,b,... --ratios r1,r2,... [--input-size S] [--name NAME] [--wait] [--json]\n' +
  'compress submit RUN|MODEL-SLUG --method sensitivity [--dataset KEY] [--split S] [--images 40] [--ratios 0.3,0.5,0.7]\n' +
  '    [--params a,b,...] [--input-size S] [--wait] [--json]\n' +
  'compress submit RUN|MODEL-SLUG --method prune-to-target --flops-target 0.35 [--rule paddleslim|with-origin] [--input-size S]\n' +
  '    [--name NAME] [--wait] [--json]\n' +
  "  queues a compress job on this machine's database (the same request schema as POST /api/runs/<id>/compress and the\n" +
  "  model page form): a worker compresses the run's stored model and registers the result as a new run (parent = the\n" +
  '  source model), which is then measured like an upload. --calib-dataset: a registered dataset other than the one the\n' +
  "  model is evaluated on; --wait: wait for the job and the new run's measurements (exit 1 if either failed). sensitivity\n" +
  '  makes no run: it stores the analysis on the source run (its page charts it), which prune-to-target reads;\n' +
  '  see docs/compression-jobs.md';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A flag given as a number when it reads as one; otherwise the text, so the schema names the field it refuses. */
function numeric(value: string | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : value;
}

/** The raw request the flags describe (validated by ZCompressRequest in startCompression, as every door's). */
export function requestFromFlags(v: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const s = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const method = s('method');
  if (method === undefined)
    throw new SlimboardError('bad_arguments', 'compress submit: --method quantize|prune|sensitivity|prune-to-target is required');
  const common = { method, inputSize: numeric(s('input-size')), name: s('name') };
  const lists = {
    params: s('params') === undefined ? undefined : parseList(s('params')!, 'params'),
    ratios: s('ratios') === undefined ? undefined : parseList(s('ratios')!, 'ratios').map((r) => numeric(r)),
  };
  const raw: Record<string, unknown> =
    method === 'prune'
      ? { ...common, ...lists }
      : method === 'sensitivity'
        ? { method, inputSize: common.inputSize, dataset: s('dataset'), split: s('split'), images: numeric(s('images')), ...lists }
        : method === 'prune-to-target'
          ? { ...common, flopsTarget: numeric(s('flops-target')), rule: s('rule') }
          : {
              ...common,
              calibDataset: s('calib-dataset'),
              calibImages: numeric(s('calib-images')),
              calibration: s('calibration'),
              percentile: numeric(s('percentile')),
              exclude: s('exclude') === undefined ? undefined : parseList(s('exclude')!, 'exclude'),
            };
  return Object.fromEntries(Object.entries(raw).filter(([, x]) => x !== undefined));
}

const submitCompression: CliCommand = {
  words: ['compress', 'submit'],
  summary: 'queue a compress job on a registered run: quantize, prune, prune-to-target (a new measured run) or sensitivity',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCliArgs(
      args,
      {
        method: { type: 'string' },
        'calib-dataset': { type: 'string' },
        'calib-images': { type: 'string' },
        calibration: { type: 'string' },
        percentile: { type: 'string' },
        exclude: { type: 'string' },
        params: { type: 'string' },
        ratios: { type: 'string' },
        dataset: { type: 'string' },
        split: { type: 'string' },
        images: { type: 'string' },
        'flops-target': { type: 'string' },
        rule: { type: 'string' },
        'input-size': { type: 'string' },
        name: { type: 'string' },
        wait: { type: 'boolean', default: false },
        timeout: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      'compress submit',
    );
    if (positionals.length !== 1) {
      throw new SlimboardError(
        'bad_arguments',
        `compress submit: expected one RUN id or model slug, got ${positionals.length} (usage: ${usage.split('\n')[0]})`,
      );
    }
    const request = requestFromFlags(values);
    const timeoutMs = (values.timeout === undefined ? 3600 : requireNumberFlag(values.timeout, 'timeout', { min: 1 })) * 1000;

    const { getDb, getDatabaseUrl, closeDb } = await import('../../db/client');
    const { openPipeline } = await import('../../jobs/pipeline');
    const { startCompression, listCompressJobs } = await import('../../compression/start-compression');
    const { waitForRun } = await import('../../runs/run-report');
    await getDb();
    const pipeline = await openPipeline({ databaseUrl: await getDatabaseUrl(), supervise: false, poolSize: 2 });
    try {
      const ref = positionals[0];
      let runId = ref;
      if (!UUID.test(ref)) {
        const r = await pipeline.pool.query(`SELECT r.id FROM "RegisteredRun" r JOIN "Model" m ON m.id = r."modelId" WHERE m.slug = $1`, [
          ref,
        ]);
        if (r.rowCount === 0)
          throw new SlimboardError(
            'not_found',
            `no registered run for model "${ref.slice(0, 120)}" (give a run id or the slug of a measured model)`,
          );
        runId = r.rows[0].id as string;
      }
      const started = await startCompression(pipeline, { sourceRunId: runId, request, door: 'cli', tokenId: null });
      if (!values.wait) {
        if (values.json) printJson(io, { job: { id: started.jobId, kind: 'compress', state: 'queued' }, ...started });
        else io.stdout(`queued compress job ${started.jobId} on run ${runId} (${started.sourceModel}, ${started.inputSize}px)\n`);
        return 0;
      }
      const deadline = Date.now() + timeoutMs;
      let job = (await listCompressJobs(pipeline.pool, runId)).find((j) => j.id === started.jobId);
      let last = '';
      while (job && job.state !== 'done' && job.state !== 'failed' && job.state !== 'cancelled' && Date.now() < deadline) {
        const line = `compress job ${job.id}: ${job.state} ${(100 * job.progress).toFixed(0)} %`;
        if (line !== last) io.stderr(`${line}\n`);
        last = line;
        await new Promise((r) => setTimeout(r, 1000));
        job = (await listCompressJobs(pipeline.pool, runId)).find((j) => j.id === started.jobId);
      }
      if (job?.state === 'done' && started.request.method === 'sensitivity') {
        // No new run: the analysis is on the source run's page.
        const url = modelPageUrl(publicBaseUrl(), started.sourceModel);
        if (values.json) printJson(io, { job: { id: started.jobId, state: job.state }, sourceModel: started.sourceModel, modelUrl: url });
        else io.stdout(`compress job ${started.jobId}: done -> sensitivity analysis stored on ${started.sourceModel}\n  page  ${url}\n`);
        return 0;
      }
      if (!job || job.state !== 'done' || !job.result) {
        io.stderr(`compress job ${started.jobId}: ${job?.state ?? 'missing'}${job?.error ? ` (${job.error})` : ''}\n`);
        return 1;
      }
      const report = await waitForRun(pipeline.pool, job.result.runId, { timeoutMs: Math.max(1000, deadline - Date.now()) });
      const base = publicBaseUrl();
      const modelUrl = report.modelSlug ? modelPageUrl(base, report.modelSlug) : null;
      if (values.json) printJson(io, { job: { id: started.jobId, state: job.state }, run: report, modelSlug: report.modelSlug, modelUrl });
      else {
        const reason = report.failureReason ? ` (${report.failureReason})` : '';
        io.stdout(`compress job ${started.jobId}: done -> run ${report.id}: ${report.state}${reason}\n`);
        if (modelUrl) io.stdout(`  model ${report.modelSlug}\n  page  ${modelUrl}\n`);
        for (const m of report.measurements)
          io.stdout(`  ${m.metric.padEnd(14)} ${String(m.inputSize ?? '-').padStart(5)}  ${m.device ?? ''}  ${m.value}\n`);
      }
      return report.state === 'done' ? 0 : 1;
    } finally {
      await pipeline.close();
      await closeDb();
    }
  },
};

export default submitCompression;
