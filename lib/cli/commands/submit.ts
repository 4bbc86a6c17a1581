import fs from 'node:fs';
import path from 'node:path';
import { SlimboardError } from '../../errors';
import { getEnv } from '../../env';
import { modelPageUrl, publicBaseUrl } from '../../http/public-base-url';
import { parseCliArgs, requireNumberFlag, requireStringFlag } from '../args';
import { printJson, type CliCommand } from '../command';

const usage =
  'submit MODEL.onnx --meta FILE.json [--owner OWNER] [--wait] [--timeout SECONDS] [--server URL] [--json]\n' +
  '  Registers a run (same metadata schema as the upload form and POST /api/runs) and queues its jobs.\n' +
  '  Without --server: writes to the database directly (this machine runs Slimboard); the run is owned by OWNER\n' +
  '  (default `local`): only a token of that owner or an admin token deletes or re-runs it (docs/owners.md).\n' +
  "  With --server URL: posts to URL/api/runs with the token in SLIMBOARD_API_TOKEN; the run is owned by the token's owner.\n" +
  '  --wait: wait until every job has finished and print the run with its results (exit 1 if it failed).\n' +
  "  Prints the model's slug and page URL (--json: modelSlug, modelUrl); the URL is on --server, else SLIMBOARD_PUBLIC_URL,\n" +
  '  else http://localhost:<PORT>.';

/** The lines that tell the user where the model lives: `model <slug>` and `page  <url>` (none when the run has no model). */
export function modelLines(base: string, modelSlug: string | null): string {
  if (!modelSlug) return '';
  return `  model ${modelSlug}\n  page  ${modelPageUrl(base, modelSlug)}\n`;
}

/** `--json` fields every submit prints beside the run. */
export function modelFields(base: string, modelSlug: string | null): { modelSlug: string | null; modelUrl: string | null } {
  return { modelSlug, modelUrl: modelSlug ? modelPageUrl(base, modelSlug) : null };
}

function readMeta(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new SlimboardError('file_not_found', `${file}: cannot read metadata file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SlimboardError('bad_metadata', `${file}: not valid JSON (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
}

async function submitToServer(
  server: string,
  modelPath: string,
  meta: unknown,
): Promise<{ run: { id: string; modelSlug?: string }; modelUrl?: string }> {
  const token = getEnv().SLIMBOARD_API_TOKEN;
  if (!token)
    throw new SlimboardError('unauthorized', 'submit --server needs SLIMBOARD_API_TOKEN (create one with `slimboard token create`)');
  const fd = new FormData();
  fd.append('meta', JSON.stringify(meta));
  fd.append('file', new Blob([fs.readFileSync(modelPath)]), path.basename(modelPath));
  const res = await fetch(new URL('/api/runs', server), { method: 'POST', body: fd, headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json().catch(() => ({}))) as {
    run?: { id: string; modelSlug?: string };
    modelUrl?: string;
    error?: { message: string };
  };
  if (!res.ok || !body.run)
    throw new SlimboardError('submit_refused', `server refused the run (${res.status}): ${body.error?.message ?? 'no message'}`);
  return { run: body.run, modelUrl: body.modelUrl };
}

const submit: CliCommand = {
  words: ['submit'],
  summary: 'register an ONNX model for measurement (analyse, benchmark, evaluate) and optionally wait for its results',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCliArgs(
      args,
      {
        meta: { type: 'string' },
        owner: { type: 'string' },
        wait: { type: 'boolean', default: false },
        timeout: { type: 'string' },
        server: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      'submit',
    );
    if (positionals.length !== 1)
      throw new SlimboardError('bad_arguments', `submit: expected exactly one MODEL.onnx, got ${positionals.length}`);
    const modelPath = positionals[0];
    const meta = readMeta(requireStringFlag(values.meta, 'meta'));
    const timeoutMs = (values.timeout === undefined ? 3600 : requireNumberFlag(values.timeout, 'timeout', { min: 1 })) * 1000;
    if (!fs.existsSync(modelPath) || !fs.statSync(modelPath).isFile())
      throw new SlimboardError('file_not_found', `${modelPath}: no such file`);

    if (values.server && values.owner !== undefined) {
      throw new SlimboardError(
        'bad_arguments',
        'submit: --owner is for the local database; with --server the run is owned by the owner of SLIMBOARD_API_TOKEN',
      );
    }
    const { LOCAL_OWNER, parseOwnerHandle } = await import('../../auth/owners');
    const owner = values.owner === undefined ? LOCAL_OWNER : parseOwnerHandle(values.owner, '--owner');
    if (values.server) {
      const { run, modelUrl } = await submitToServer(values.server, modelPath, meta);
      // The server's own modelUrl (its SLIMBOARD_PUBLIC_URL) when it sends one, else the page under --server.
      const fields = modelFields(values.server.replace(/\/+$/, ''), run.modelSlug ?? null);
      if (modelUrl) fields.modelUrl = modelUrl;
      if (values.json) printJson(io, { run, ...fields });
      else
        io.stdout(
          `registered run ${run.id} on ${values.server}\n${
            fields.modelSlug ? `  model ${fields.modelSlug}\n  page  ${fields.modelUrl}\n` : ''
          }`,
        );
      return 0;
    }

    const { getDb, getDatabaseUrl, closeDb } = await import('../../db/client');
    const { openPipeline } = await import('../../jobs/pipeline');
    const { registerRun } = await import('../../runs/register-run');
    const { getRunReport, waitForRun } = await import('../../runs/run-report');
    await getDb();
    const pipeline = await openPipeline({ databaseUrl: await getDatabaseUrl(), supervise: false, poolSize: 2 });
    try {
      const summary = await registerRun(pipeline, {
        metadata: meta,
        fileName: path.basename(modelPath),
        file: fs.createReadStream(modelPath),
        declaredSizeBytes: fs.statSync(modelPath).size,
        door: 'cli',
        tokenId: null,
        owner,
        maxBytes: getEnv().SLIMBOARD_UPLOAD_MAX_BYTES,
      });
      const base = publicBaseUrl();
      if (summary.adapterFrom) {
        // Said on stderr so that --json output stays one object; the JSON has `adapterFrom` in the run's metadata.
        io.stderr(
          `note: no adapter in the metadata; measured with the adapter run ${summary.adapterFrom.runId} declared for the same bytes\n`,
        );
      }
      if (!values.wait) {
        const report = await getRunReport(pipeline.pool, summary.id);
        if (values.json) printJson(io, { run: report, ...modelFields(base, summary.modelSlug) });
        else {
          io.stdout(
            summary.sameFileAs?.linked
              ? `same file and metadata as run ${summary.id}: nothing new registered\n`
              : `registered run ${summary.id} (${summary.jobs.length} jobs queued; sha256 ${summary.sha256})\n`,
          );
          io.stdout(modelLines(base, summary.modelSlug));
        }
        return 0;
      }
      let last = '';
      const report = await waitForRun(pipeline.pool, summary.id, {
        timeoutMs,
        onTick: (r) => {
          const done = r.jobs.filter((j) => j.state === 'done').length;
          const line = `run ${r.id}: ${r.state}, ${done}/${r.jobs.length} jobs done`;
          if (line !== last) io.stderr(`${line}\n`);
          last = line;
        },
      });
      if (values.json) printJson(io, { run: report, ...modelFields(base, report.modelSlug) });
      else {
        io.stdout(`run ${report.id}: ${report.state}${report.failureReason ? ` (${report.failureReason})` : ''}\n`);
        io.stdout(modelLines(base, report.modelSlug));
        for (const m of report.measurements)
          io.stdout(`  ${m.metric.padEnd(14)} ${String(m.inputSize ?? '-').padStart(5)}  ${m.device ?? ''}  ${m.value}\n`);
      }
      if (report.state === 'failed') return 1;
      if (report.state !== 'done') {
        io.stderr(`run ${report.id} not finished after ${timeoutMs / 1000} s (state ${report.state})\n`);
        return 1;
      }
      return 0;
    } finally {
      await pipeline.close();
      await closeDb();
    }
  },
};

export default submit;
