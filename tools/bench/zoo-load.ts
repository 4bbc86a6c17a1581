/**
 * Load on a running Slimboard (issue #15's load bar): `--clients` concurrent loops fetch `--path` for `--seconds`,
 * while each probe (`--probe`, comma-separated; default `/api/jobs`) fetches its path once a second; the server's RSS
 * (its processes and their children, from /proc) is sampled every second and after the burst (at 10 s, and every 10 s up
 * to `--after-seconds`, default 10). Prints requests,
 * errors, latency p50/p95/p99, each probe's latencies and the RSS before, at peak and after. The burst is preceded by
 * `--warmup-seconds` (default 5) of the same load, not counted: a fresh process's first renders are not what a
 * running server serves (0 gives the cold start).
 *
 *   npx tsx tools/bench/zoo-load.ts [--clients 20] [--seconds 30] [--path /zoo]       # the scale database
 *   npx tsx tools/bench/zoo-load.ts --url http://127.0.0.1:3000 --server-pid PID …     # a server of your own
 *   npx tsx tools/bench/zoo-load.ts --clients 1 --seconds 1 --warmup-seconds 0 --path '/api/zoo?format=csv' \
 *     --warm-path '/api/zoo?format=csv&q=none' --probe /api/jobs [--export-v8-flags=]   # one full export's memory
 *
 * Without `--url` it starts the database that `tools/bench/zoo-scale.ts --keep` left (.slimboard/zoo-scale-pg, port
 * 54493) and the built app on it, port 3300 (build first with `npx next build`), and stops both after: as `npm start`
 * serves it (`--web lanes`, the default: three `next start` processes behind the front proxy of lib/http/web-lanes.ts,
 * which runs in this process) or as one `next start` (`--web single`, `npm start -- --single-web`).
 * `--browse-concurrency N` sets the proxy's browse admission (0: none; default SLIMBOARD_BROWSE_CONCURRENCY).
 * `--write-before` writes to the zoo after the first answer, so the burst meets the views being computed anew.
 * `--slow-clients N --slow-path '/explorer?dataset=coco&sizes=416,{n}'` adds N clients that each fetch views no cache
 * holds (`{n}` counts up from 1000 across them), computed for the first time, beside the `--clients`; `--browse-hold-ms`
 * sets the proxy's BROWSE_SLOT_HOLD_MS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  EXPORT_LANE_V8_FLAGS,
  spawnWebLanes,
  spawnWebServer,
  stopChild,
  stopWebLanes,
  waitForHttp,
  type WebLanes,
} from '../../lib/cli/commands/start';
import pg from 'pg';
import { WEB_LANES } from '../../lib/http/web-lanes';
import { startKeptZooScaleDatabase, ZOO_NO_OP_WRITE_SQL } from './zoo-scale-db';
import { loadAverages, quantileOf } from './bench-timings';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'server-pid': { type: 'string' },
    clients: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '30' },
    path: { type: 'string', default: '/zoo' },
    probe: { type: 'string', default: '/api/jobs' },
    web: { type: 'string', default: 'lanes' },
    'warmup-seconds': { type: 'string', default: '5' },
    'after-seconds': { type: 'string', default: '10' },
    'export-v8-flags': { type: 'string' },
    'warm-path': { type: 'string' },
    'browse-concurrency': { type: 'string' },
    'write-before': { type: 'boolean', default: false },
    'browse-hold-ms': { type: 'string' },
    'slow-path': { type: 'string' },
    'slow-clients': { type: 'string', default: '0' },
  },
});
const ROOT = path.resolve(import.meta.dirname, '..', '..');
let db: Awaited<ReturnType<typeof startKeptZooScaleDatabase>> | null = null;
let web: ReturnType<typeof spawnWebServer> | null = null;
let lanes: WebLanes | null = null;
let base = values.url?.replace(/\/$/, '') ?? '';
let pids: number[] = values['server-pid'] ? [Number(values['server-pid'])] : [];
if (values.web !== 'lanes' && values.web !== 'single') throw new Error(`--web must be lanes or single, got ${values.web}`);
// The export lane's V8 flags: EXPORT_LANE_V8_FLAGS unless `--export-v8-flags` (space-separated; `--export-v8-flags=` for none).
const exportV8Flags = values['export-v8-flags']?.split(' ').filter(Boolean);
if (!values.url) {
  db = await startKeptZooScaleDatabase();
  base = 'http://127.0.0.1:3300';
  if (values.web === 'single') {
    web = spawnWebServer(ROOT, 3300, db.url, { stdio: 'pipe' });
    await waitForHttp(`${base}/api/jobs`, web, 120_000);
    pids = [web.pid!];
  } else {
    const browseConcurrency = values['browse-concurrency'] === undefined ? undefined : Number(values['browse-concurrency']);
    const browseSlotHoldMs = values['browse-hold-ms'] === undefined ? undefined : Number(values['browse-hold-ms']);
    lanes = await spawnWebLanes(ROOT, 3300, db.url, { stdio: 'pipe', exportV8Flags, browseConcurrency, browseSlotHoldMs });
    pids = WEB_LANES.map((lane) => lanes!.servers[lane].pid!);
  }
}
const probes = values.probe.split(',').filter(Boolean);
const sumMiB = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** RSS in MiB of each of `roots` with every process below it (one scan of /proc for all). */
function treeRssMiB(roots: number[]): number[] {
  const children = new Map<number, number[]>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      /* gone */
    }
  }
  return roots.map((root) => {
    let total = 0;
    const stack = [root];
    while (stack.length) {
      const p = stack.pop()!;
      total += ownRssMiB(p);
      stack.push(...(children.get(p) ?? []));
    }
    return total;
  });
}
const serverRssMiB = () => sumMiB(treeRssMiB(pids));
/** RSS in MiB of `pid` alone (0 once it is gone). */
function ownRssMiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

const q = quantileOf;
const ms = (x: number) => `${x.toFixed(0)} ms`;

async function timed(url: string): Promise<{ ms: number; ok: boolean; status: number }> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
    await res.arrayBuffer();
    return { ms: performance.now() - t0, ok: res.ok, status: res.status };
  } catch {
    return { ms: performance.now() - t0, ok: false, status: 0 };
  }
}

// `--warm-path`: the first request goes there instead, and the RSS "before" is taken after it (a server that has
// loaded the route once, e.g. a small export before a full one); without it, "before" is the fresh server.
const warmFirst = values['warm-path'] ? await timed(base + values['warm-path']) : null;
// Per process (each lane's own before and peak), beside the sum.
const rssBeforeEach = treeRssMiB(pids);
const rssPeakEach = [...rssBeforeEach];
// The peak of each process alone, without its children (the browse lane's zoo-views process).
const rssOwnPeakEach = pids.map(ownRssMiB);
const rssBefore = pids.length ? sumMiB(rssBeforeEach) : NaN;
const warm = warmFirst ?? (await timed(base + values.path));
// After one answer the route's code is loaded and the zoo's caches hold this version: what a served server keeps.
const rssAfterFirstEach = treeRssMiB(pids);
// `--write-before`: a write (ZOO_NO_OP_WRITE_SQL, which moves the zoo version) just before the load, so
// the burst is served while the server computes the new views (its zoo-views process, where it has one).
if (values['write-before']) {
  if (!db) throw new Error('--write-before needs the scale database (not --url)');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(ZOO_NO_OP_WRITE_SQL);
  await client.end();
}
// A fresh server's first concurrent renders run unoptimised code (JIT): the same load, not counted, first.
const warmupEnd = Date.now() + Number(values['warmup-seconds']) * 1000;
await Promise.all(
  Array.from({ length: Number(values.clients) }, async () => {
    while (Date.now() < warmupEnd) await timed(base + values.path);
  }),
);
console.log(
  `${new Date().toISOString()}  ${values.clients} clients x ${values.seconds} s on ${values.path} ` +
    `(web: ${values.url ? values.url : values.web}` +
    `${values.web === 'lanes' ? `, export lane V8 flags '${(exportV8Flags ?? EXPORT_LANE_V8_FLAGS).join(' ')}'` : ''}` +
    `${lanes ? `, browse concurrency ${values['browse-concurrency'] ?? 'SLIMBOARD_BROWSE_CONCURRENCY'}` : ''}` +
    `${values['write-before'] ? ', a write just before' : ''}` +
    `${values['browse-hold-ms'] ? `, browse slot hold ${values['browse-hold-ms']} ms` : ''}); ` +
    `first request${values['warm-path'] ? ` (${values['warm-path']})` : ''} ${ms(warm.ms)} (${warm.status}), ` +
    `then ${values['warmup-seconds']} s of the same load not counted`,
);
const end = Date.now() + Number(values.seconds) * 1000;
const statuses = new Map<number, number>();
const probeMs = new Map<string, number[]>(probes.map((p) => [p, []]));
let rssPeak = rssBefore;
const sampler = setInterval(() => {
  if (!pids.length) return;
  const each = treeRssMiB(pids);
  each.forEach((r, i) => (rssPeakEach[i] = Math.max(rssPeakEach[i], r)));
  pids.forEach((pid, i) => (rssOwnPeakEach[i] = Math.max(rssOwnPeakEach[i], ownRssMiB(pid))));
  rssPeak = Math.max(rssPeak, sumMiB(each));
}, 1000);
const startedAt = performance.now();
/** Every counted request: when it started (s into the burst) and how long it took. */
const requests: { atS: number; ms: number }[] = [];
const client = async () => {
  while (Date.now() < end) {
    const atS = (performance.now() - startedAt) / 1000;
    const r = await timed(base + values.path);
    requests.push({ atS, ms: r.ms });
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  }
};
const slowMs: number[] = [];
let slowN = 1000;
const slowClient = async () => {
  while (Date.now() < end) slowMs.push((await timed(base + values['slow-path']!.replace('{n}', String(slowN++)))).ms);
};
const prober = async (path: string) => {
  while (Date.now() < end) {
    probeMs.get(path)!.push((await timed(base + path)).ms);
    await new Promise((r) => setTimeout(r, 1000));
  }
};
const slowClients = values['slow-path'] ? Number(values['slow-clients']) : 0;
await Promise.all([
  ...Array.from({ length: Number(values.clients) }, client),
  ...Array.from({ length: slowClients }, slowClient),
  ...probes.map(prober),
]);
clearInterval(sampler);
const rssAfterBurst: string[] = [];
for (let t = 10; t <= Math.max(10, Number(values['after-seconds'])); t += 10) {
  await new Promise((r) => setTimeout(r, 10_000));
  rssAfterBurst.push(`${t} s: ${serverRssMiB().toFixed(0)}`);
}
const rssLastEach = treeRssMiB(pids);
const latencies = requests.map((r) => r.ms);
const errors = latencies.length - (statuses.get(200) ?? 0);
console.log(
  `requests ${latencies.length} (${(latencies.length / Number(values.seconds)).toFixed(1)}/s), errors ${errors}, ` +
    `statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
);
console.log(
  `${values.path}: p50 ${ms(q(latencies, 0.5))}  p95 ${ms(q(latencies, 0.95))}  p99 ${ms(q(latencies, 0.99))}  ` +
    `max ${ms(Math.max(...latencies))}`,
);
console.log(
  `slowest 5 (started at s: ms): ${requests
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5)
    .map((x) => `${x.atS.toFixed(1)}: ${x.ms.toFixed(0)}`)
    .join(', ')}`,
);
if (slowClients)
  console.log(
    `${slowClients} slow clients on ${values['slow-path']}: ${slowMs.length} requests, p50 ${ms(q(slowMs, 0.5))}  ` +
      `max ${ms(Math.max(...slowMs))}`,
  );
for (const [path, probe] of probeMs)
  console.log(
    `${path} meanwhile: p50 ${ms(q(probe, 0.5))}  p95 ${ms(q(probe, 0.95))}  max ${ms(Math.max(...probe))} (${probe.length} probes)`,
  );
if (pids.length)
  console.log(
    `server RSS: before ${rssBefore.toFixed(0)} MiB, after the first answer ${sumMiB(rssAfterFirstEach).toFixed(0)} MiB, ` +
      `peak ${rssPeak.toFixed(0)} MiB, after the burst ${rssAfterBurst.join(', ')} MiB`,
  );
if (pids.length > 1) {
  const names = lanes ? WEB_LANES : pids.map(String);
  const each = names.map(
    (n, i) =>
      `${n} ${rssBeforeEach[i].toFixed(0)} -> ${rssAfterFirstEach[i].toFixed(0)} -> ${rssPeakEach[i].toFixed(0)} -> ` +
      `${rssLastEach[i].toFixed(0)} MiB (alone at its peak ${rssOwnPeakEach[i].toFixed(0)})`,
  );
  console.log(`per process (before -> after the first answer -> peak -> at the end): ${each.join(', ')}`);
}
console.log(`load ${loadAverages()}, ${os.cpus().length} logical cores`);
if (web) await stopChild(web);
if (lanes) await stopWebLanes(lanes);
await db?.stop();
