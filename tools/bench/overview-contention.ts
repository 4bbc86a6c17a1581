/**
 * Would computing the overview outside the web process bring `/` under 300 ms while it is recomputed (docs/scale.md,
 * "Where the overview is computed")? One `next start` (niceness 5, as start's browse lane) on the
 * `tools/bench/zoo-scale.ts --keep` database (port 3303; build first with `npx next build`) serves `/` warm; then,
 * per round, `/` is read every 200 ms (`--reads` times) while nothing else runs, and while another process computes
 * the overview in a loop (this file with `--compute-loop`: the cache cleared before each computation) at niceness
 * 10, at 0, and at 10 without PostgreSQL's parallel workers for its queries (`--loop-parallel 0`:
 * max_parallel_workers_per_gather). Prints p50, p95 and the slowest read of each, with the load average, and each
 * computation's time.
 *
 *   npx tsx tools/bench/overview-contention.ts [--rounds 2] [--reads 40]
 */
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { spawnWebServer, stopChild, waitForHttp } from '../../lib/cli/commands/start';
import { PrismaPg } from '@prisma/adapter-pg';
import { pgPoolConfig, SESSION_OPTIONS } from '../../lib/db/session-settings';
import { PrismaClient } from '../../lib/generated/prisma/client';
import { loadOverview } from '../../lib/zoo/overview-data';
import { clearZooCache } from '../../lib/zoo/zoo-cache';
import { quantileOf, timeAndLoad } from './bench-timings';
import { startKeptZooScaleDatabase } from './zoo-scale-db';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    reads: { type: 'string', default: '40' },
    'compute-loop': { type: 'string' },
    'loop-parallel': { type: 'string' },
  },
});

if (values['compute-loop']) {
  const parallel = values['loop-parallel'];
  const options = parallel === undefined ? SESSION_OPTIONS : `${SESSION_OPTIONS} -c max_parallel_workers_per_gather=${parallel}`;
  const db = new PrismaClient({ adapter: new PrismaPg({ ...pgPoolConfig(values['compute-loop'], { max: 10 }), options }) });
  for (;;) {
    clearZooCache();
    const t = performance.now();
    await loadOverview(db);
    process.stderr.write(`overview computed in ${Math.round(performance.now() - t)} ms\n`);
  }
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const PORT = 3303;
const base = `http://127.0.0.1:${PORT}`;
const kept = await startKeptZooScaleDatabase();
const web = spawnWebServer(ROOT, PORT, kept.url, { stdio: 'pipe' });

async function readOverview(label: string, n: number): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await (await fetch(`${base}/`)).text();
    ms.push(Math.round(performance.now() - t));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  console.log(`${label}: p50 ${quantileOf(ms, 0.5)} ms, p95 ${quantileOf(ms, 0.95)} ms, max ${Math.max(...ms)} ms; ${timeAndLoad()}`);
}

try {
  os.setPriority(web.pid!, 5);
  await waitForHttp(`${base}/api/jobs`, web, 120_000);
  for (let i = 0; i < 2; i++) await (await fetch(`${base}/`)).text(); // fill, then warm
  for (let round = 1; round <= Number(values.rounds); round++) {
    await readOverview(`round ${round}, nothing else computing`, Number(values.reads));
    for (const [niceness, parallel] of [
      [10, undefined],
      [0, undefined],
      [10, '0'],
    ] as const) {
      const args = [
        '--import',
        'tsx',
        import.meta.filename,
        '--compute-loop',
        kept.url,
        ...(parallel ? ['--loop-parallel', parallel] : []),
      ];
      const loop = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
      os.setPriority(loop.pid!, niceness);
      await new Promise((resolve) => setTimeout(resolve, 3000)); // its first computation under way
      const what = `niceness ${niceness}, parallel workers ${parallel ?? 'default'}`;
      await readOverview(`round ${round}, another process computing at ${what}`, Number(values.reads));
      await stopChild(loop);
    }
  }
} finally {
  await stopChild(web);
  await kept.stop();
}
