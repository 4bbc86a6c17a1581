import path from 'node:path';
import { getEnv } from '../../env';
import { parseCliArgs, requireNumberFlag } from '../args';
import { printJson, type CliCommand } from '../command';

/**
 * `demo register`: what `npm start` does for the demo zoo, on its own (idempotent: a second call registers
 * and queues nothing). `demo table`: the measured demo table as markdown, from the database.
 */

const register: CliCommand = {
  words: ['demo', 'register'],
  summary: 'register the shipped demo zoo (lib/demo-zoo/models) as runs and queue its measurements (idempotent)',
  usage:
    'demo register [--zoo DIR] [--val-count N] [--json]\n' +
    '  Generates the val split under <dataDir>/datasets/demo-shapes, registers every manifest model that has no run for its\n' +
    '  sha256 yet (same path as an upload), queues analyse/benchmark/evaluate at each evaluation size. Workers measure them.\n' +
    "  --val-count: val images to generate (default: the manifest's); for smoke tests only.",
  async run(args, io) {
    const { values } = parseCliArgs(
      args,
      { zoo: { type: 'string' }, 'val-count': { type: 'string' }, json: { type: 'boolean', default: false } },
      'demo register',
    );
    const valCount =
      values['val-count'] === undefined
        ? undefined
        : requireNumberFlag(values['val-count'], 'val-count', { int: true, min: 1, max: 100_000 });
    const env = getEnv();
    const { getDb, getDatabaseUrl, closeDb } = await import('../../db/client');
    const { openPipeline } = await import('../../jobs/pipeline');
    const { registerDemoZoo } = await import('../../demo-zoo/register-demo-zoo');
    const { DEMO_ZOO_DIR } = await import('../../demo-zoo/manifest');
    try {
      await getDb();
      const pipeline = await openPipeline({ databaseUrl: await getDatabaseUrl(), supervise: false, poolSize: 3 });
      try {
        const report = await registerDemoZoo(pipeline, {
          zooDir: path.resolve(values.zoo ?? DEMO_ZOO_DIR),
          dataDir: env.dataDir,
          maxBytes: env.SLIMBOARD_UPLOAD_MAX_BYTES,
          valCount,
        });
        if (values.json) printJson(io, report);
        else {
          io.stdout(
            `demo zoo ${report.manifest} (createdAt ${report.createdAt}); val split ${report.valSplit.dir} (${report.valSplit.images} ` +
              `images${report.valSplit.generated ? ', generated now' : ''})\n`,
          );
          for (const m of report.models) {
            io.stdout(
              `  ${m.id.padEnd(22)} ${m.status.padEnd(10)} ${m.runId ?? '-'}  ${m.jobsQueued} job(s) queued${
                m.modelSlug ? `  /models/${m.modelSlug}` : ''
              }\n`,
            );
          }
          const s = report.sensitivity;
          if (s.status !== 'absent')
            io.stdout(
              `  sensitivity analysis ${s.file}: ${s.status}${s.models.length ? ` (run metadata of ${s.models.join(', ')})` : ''}\n`,
            );
          io.stdout(`${report.jobsQueued} job(s) queued\n`);
        }
        for (const p of report.problems) io.stderr(`error: ${p}\n`);
        return report.problems.length ? 1 : 0;
      } finally {
        await pipeline.close();
      }
    } finally {
      await closeDb();
    }
  },
};

const table: CliCommand = {
  words: ['demo', 'table'],
  summary: 'print the measured demo zoo table as markdown (date and machine included), from the database',
  usage: 'demo table [--json]',
  async run(args, io) {
    const { values } = parseCliArgs(args, { json: { type: 'boolean', default: false } }, 'demo table');
    const { getDb, closeDb } = await import('../../db/client');
    const { formatDemoTable, loadDemoTable } = await import('../../demo-zoo/demo-table');
    try {
      const t = await loadDemoTable(await getDb());
      const markdown = formatDemoTable(t);
      if (values.json) {
        printJson(io, {
          markdown,
          lastMeasuredAt: t.lastMeasuredAt,
          devices: t.devices,
          rows: t.rows.map((r) => ({
            model: r.model.name,
            slug: r.model.slug,
            inputSize: r.inputSize,
            cells: r.cells,
            trainingAp: t.trainingAp.get(`${r.model.slug}@${r.inputSize}`) ?? null,
          })),
        });
      } else io.stdout(markdown);
      return 0;
    } finally {
      await closeDb();
    }
  },
};

export default [register, table];
