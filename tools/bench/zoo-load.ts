/**
 * Load on a running Slimboard (issue #15's load bar): `--clients` concurrent loops fetch `--path` for `--seconds`,
 * while a probe fetches `/api/jobs` once a second; the server's RSS (the process and its children, from /proc) is
 * sampled every second and 10 s after the burst. Prints requests, errors, latency p50/p95/p99, the probe's latencies
 * and the RSS before, at peak and after.
 *
 *   npx tsx tools/bench/zoo-load.ts [--clients 20] [--seconds 30] [--path /zoo]       # the scale database
 *   npx tsx tools/bench/zoo-load.ts --url http://127.0.0.1:3000 --server-pid PID …     # a server of your own
 *
 * Without `--url` it starts the database that `tools/bench/zoo-scale.ts --keep` left (.slimboard/zoo-scale-pg, port
 * 54493) and the built app on it (`next start`, port 3300; build first with `npx next build`), and stops both after.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnWebServer, waitForHttp } from '../../lib/cli/commands/start';
import { startKeptZooScaleDatabase } from './zoo-scale-db';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    'server-pid': { type: 'string' },
    clients: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '30' },
    path: { type: 'string', default: '/zoo' },
    probe: { type: 'string', default: '/api/jobs' },
  },
});
const ROOT = path.resolve(import.meta.dirname, '..', '..');
let db: Awaited<ReturnType<typeof startKeptZooScaleDatabase>> | null = null;
let web: ReturnType<typeof spawnWebServer> | null = null;
let base = values.url?.replace(/\/$/, '') ?? '';
let pid = values['server-pid'] ? Number(values['server-pid']) : null;
if (!values.url) {
  db = await startKeptZooScaleDatabase();
  web = spawnWebServer(ROOT, 3300, db.url, 'pipe');
  base = 'http://127.0.0.1:3300';
  await waitForHttp(`${base}/api/jobs`, web, 120_000);
  pid = web.pid ?? null;
}

/** RSS in MiB of `root` and every process below it. */
function treeRssMiB(root: number): number {
  const children = new Map<number, number[]>();
  let total = 0;
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
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    try {
      total += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      /* gone */
    }
    stack.push(...(children.get(p) ?? []));
  }
  return total / 1024;
}

const q = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] : NaN;
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

const rssBefore = pid ? treeRssMiB(pid) : NaN;
const warm = await timed(base + values.path);
console.log(
  `${new Date().toISOString()}  ${values.clients} clients x ${values.seconds} s on ${values.path}; warm-up ${ms(warm.ms)} (${warm.status})`,
);
const end = Date.now() + Number(values.seconds) * 1000;
const latencies: number[] = [];
const statuses = new Map<number, number>();
const probe: number[] = [];
let rssPeak = rssBefore;
const sampler = setInterval(() => {
  if (pid) rssPeak = Math.max(rssPeak, treeRssMiB(pid));
}, 1000);
const client = async () => {
  while (Date.now() < end) {
    const r = await timed(base + values.path);
    latencies.push(r.ms);
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  }
};
const prober = async () => {
  while (Date.now() < end) {
    probe.push((await timed(base + values.probe)).ms);
    await new Promise((r) => setTimeout(r, 1000));
  }
};
await Promise.all([...Array.from({ length: Number(values.clients) }, client), prober()]);
clearInterval(sampler);
await new Promise((r) => setTimeout(r, 10_000));
const rssAfter = pid ? treeRssMiB(pid) : NaN;
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
  `${values.probe} meanwhile: p50 ${ms(q(probe, 0.5))}  p95 ${ms(q(probe, 0.95))}  max ${ms(Math.max(...probe))} (${probe.length} probes)`,
);
if (pid)
  console.log(`server RSS: before ${rssBefore.toFixed(0)} MiB, peak ${rssPeak.toFixed(0)} MiB, 10 s after ${rssAfter.toFixed(0)} MiB`);
console.log(
  `load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, ${os.cpus().length} logical cores`,
);
if (web) {
  const closed = new Promise((r) => web!.once('exit', r));
  web.kill('SIGTERM');
  await closed;
}
await db?.stop();
