import fs from 'node:fs';
import path from 'node:path';
import { SlimboardError } from '../../errors';
import { getEnv } from '../../env';
import { parseCliArgs, requireNumberFlag, requireStringFlag } from '../args';
import { printJson, type CliCommand } from '../command';

const usage =
  'submit MODEL.onnx --meta FILE.json [--wait] [--timeout SECONDS] [--server URL] [--json]\n' +
  '  Registers a run (same metadata schema as the upload form and POST /api/runs) and queues its jobs.\n' +
  '  Without --server: writes to the database directly (this machine runs Slimboard).\n' +
  '  With --server URL: posts to URL/api/runs with the token in SLIMBOARD_API_TOKEN.\n' +
  '  --wait: wait until every job has finished and print the run with its results (exit 1 if it failed).';

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

async function submitToServer(server: string, modelPath: string, meta: unknown): Promise<{ id: string }> {
  const token = getEnv().SLIMBOARD_API_TOKEN;
  if (!token) throw new SlimboardError('unauthorized', 'submit --server needs SLIMBOARD_API_TOKEN (create one with `slimboard token create`)');
  const fd = new FormData();
  fd.append('meta', JSON.stringify(meta));
  fd.append('file', new Blob([fs.readFileSync(modelPath)]), path.basename(modelPath));
  const res = await fetch(new URL('/api/runs', server), { method: 'POST', body: fd, headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json().catch(() => ({}))) as { run?: { id: string }; error?: { message: string } };
  if (!res.ok || !body.run) throw new SlimboardError('submit_refused', `server refused the run (${res.status}): ${body.error?.message ?? 'no message'}`);
  return body.run;
}

const submit: CliCommand = {
  words: ['submit'],
  summary: 'register an ONNX model for measurement (analyse, benchmark, evaluate) and optionally wait for its results',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCliArgs(
      args,
      { meta: { type: 'string' }, wait: { type: 'boolean', default: false }, timeout: { type: 'string' }, server: { type: 'string' }, json: { type: 'boolean', default: false } },
      'submit',
    );
    if (positionals.length !== 1) throw new SlimboardError('bad_arguments', `submit: expected exactly one MODEL.onnx, got ${positionals.length}`);
    const modelPath = positionals[0];
    const meta = readMeta(requireStringFlag(values.meta, 'meta'));
    const timeoutMs = (values.timeout === undefined ? 3600 : requireNumberFlag(values.timeout, 'timeout', { min: 1 })) * 1000;
    if (!fs.existsSync(modelPath) || !fs.statSync(modelPath).isFile()) throw new SlimboardError('file_not_found', `${modelPath}: no such file`);

    if (values.server) {
      const run = await submitToServer(values.server, modelPath, meta);
      if (values.json) printJson(io, { run });
      else io.stdout(`registered run ${run.id} on ${values.server}\n`);
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
        maxBytes: getEnv().SLIMBOARD_UPLOAD_MAX_BYTES,
      });
      if (!values.wait) {
        const report = await getRunReport(pipeline.pool, summary.id);
        if (values.json) printJson(io, { run: report });
        else if (summary.sameFileAs?.linked) {
          io.stdout(`same file and metadata as run ${summary.id} (model ${summary.modelSlug}): nothing new registered\n`);
        }
        else io.stdout(`registered run ${summary.id} (${summary.jobs.length} jobs queued; model ${summary.modelSlug}, sha256 ${summary.sha256})\n`);
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
      if (values.json) printJson(io, { run: report });
      else {
        io.stdout(`run ${report.id}: ${report.state}${report.failureReason ? ` (${report.failureReason})` : ''}\n`);
        for (const m of report.measurements) io.stdout(`  ${m.metric.padEnd(14)} ${String(m.inputSize ?? '-').padStart(5)}  ${m.device ?? ''}  ${m.value}\n`);
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
