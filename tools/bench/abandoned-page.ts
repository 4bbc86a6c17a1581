/**
 * What an abandoned `/api/zoo` page still costs the database (issue #15: a query whose client has gone away is
 * cancelled). On the `tools/bench/zoo-scale.ts --keep` database with `tools/bench/run-sections-scale.ts --keep-runs`'s
 * 100,000 runs, the page `--path`'s query (default: the COCO run section sorted by GFLOPs, 1.7 to 2.0 s) is started
 * with listZooRowsAfter as the route starts it, and its client leaves after `--leave-ms`. Paired and interleaved in
 * one process, `--rounds` times each: with the route's signal (the page's queries are cancelled,
 * lib/db/query-cancellation.ts) and without one (as before: the query runs to its end). For each it prints how long
 * the page's statement stayed active on the server after the client left, read from pg_stat_activity every 10 ms.
 *
 * `--http` adds the same through the route: the built app (`npx next build` first) as one `next start` on port 3302,
 * a GET of `/api/zoo?<path>&limit=100` whose client leaves after `--leave-ms`; the route always passes its request's
 * signal, so this checks that Next.js aborts it when the client goes away and that the route hands it on.
 *
 *   npx tsx tools/bench/abandoned-page.ts [--rounds 5] [--leave-ms 200] [--path 'section=runs-coco&sort=gflops'] [--http]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import path from 'node:path';
import { spawnWebServer, stopChild, waitForHttp } from '../../lib/cli/commands/start';
import { createPrismaClient } from '../../lib/db/client';
import { listZooRowsAfter } from '../../lib/zoo/list-zoo-rows';
import { parseZooQuery } from '../../lib/zoo/query';
import { loadAverages, quantileOf } from './bench-timings';
import { startKeptZooScaleDatabase } from './zoo-scale-db';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'leave-ms': { type: 'string', default: '200' },
    path: { type: 'string', default: 'section=runs-coco&sort=gflops' },
    http: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const leaveMs = Number(values['leave-ms']);
const kept = await startKeptZooScaleDatabase();
const db = createPrismaClient(kept.url, 4);
const observer = new pg.Client({ connectionString: kept.url });
await observer.connect();
const query = parseZooQuery(Object.fromEntries(new URLSearchParams(values.path)));

/** Active statements of other sessions on this database (the bench's pool is the only other client). */
async function activeStatements(): Promise<number> {
  const { rows } = await observer.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
  );
  return rows[0].n;
}

/** Start the page, leave after leaveMs, and return how long the server kept working on it after that. */
async function abandon(door: 'signal' | 'none' | 'http'): Promise<{ busyAfterLeaveMs: number; pageMs: number; outcome: string }> {
  const controller = new AbortController();
  const t0 = performance.now();
  const started =
    door === 'http'
      ? fetch(`${base}/api/zoo?${values.path}&limit=100`, { signal: controller.signal }).then((r) => r.text())
      : listZooRowsAfter(db, query, null, 100, door === 'signal' ? { signal: controller.signal } : {});
  const page = started.then(
    () => 'answered',
    (e: Error) => `rejected: ${e.message.split('\n').at(-1)?.slice(0, 60)}`,
  );
  await new Promise((r) => setTimeout(r, leaveMs));
  controller.abort(new Error('the client went away'));
  const left = performance.now();
  while ((await activeStatements()) > 0) await new Promise((r) => setTimeout(r, 10));
  const busyAfterLeaveMs = performance.now() - left;
  const outcome = await page;
  return { busyAfterLeaveMs, pageMs: performance.now() - t0, outcome };
}

const PORT = 3302;
const base = `http://127.0.0.1:${PORT}`;
const web = values.http ? spawnWebServer(path.resolve(import.meta.dirname, '../..'), PORT, kept.url, { stdio: 'pipe' }) : null;

try {
  if (web) {
    await waitForHttp(`${base}/api/jobs`, web, 120_000);
    await (await fetch(`${base}/api/zoo?${values.path}&limit=100`)).text(); // the server's caches and plans
  }
  const warm = performance.now();
  await listZooRowsAfter(db, query, null, 100); // the shared aggregates, cached per zoo version, and the plan
  console.log(
    `${new Date().toISOString()}  /api/zoo?${values.path}&limit=100, whole page ${(performance.now() - warm).toFixed(0)} ms (warm-up)`,
  );
  const busy = { signal: [] as number[], none: [] as number[], http: [] as number[] };
  const doors: Array<'signal' | 'none' | 'http'> = values.http ? ['signal', 'none', 'http'] : ['signal', 'none'];
  for (let i = 0; i < rounds; i++) {
    for (const door of i % 2 === 0 ? doors : [...doors].reverse()) {
      const r = await abandon(door);
      busy[door].push(r.busyAfterLeaveMs);
      console.log(`round ${i + 1} ${door.padEnd(6)}: busy ${r.busyAfterLeaveMs.toFixed(0)} ms after the client left (${r.outcome})`);
    }
  }
  const med = (xs: number[]) => quantileOf(xs, 0.5);
  console.log(
    `median database time after the client left: with the signal ${med(busy.signal).toFixed(0)} ms, ` +
      `without ${med(busy.none).toFixed(0)} ms ` +
      `(ratio ${(med(busy.signal) / med(busy.none)).toFixed(3)}); leave after ${leaveMs} ms, ${rounds} rounds each`,
  );
  if (values.http) console.log(`over HTTP (the route, one next start): median ${med(busy.http).toFixed(0)} ms after the client left`);
  console.log(`load ${loadAverages()}`);
} finally {
  if (web) await stopChild(web);
  await observer.end();
  await db.$disconnect();
  await kept.stop();
}
