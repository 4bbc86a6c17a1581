/**
 * What the zoo-wide pages weigh and take once warm, on the scale database (tools/bench/zoo-scale.ts --keep):
 *
 *   npx tsx tools/bench/page-weight.ts [--paths /,/explorer?dataset=coco,/zoo] [--rounds 6]
 *
 * Starts the kept scale database and the built app (`npx next build` first) on port 3302, reads each path once
 * untimed (its first read computes or loads the view), then `rounds` rounds of each path as a page (HTML) and as
 * the React Server Components payload a client navigation fetches (header `RSC: 1`), interleaved. Prints per path the
 * bytes of each and the median and every time; stops both after.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnWebServer, stopChild, waitForHttp } from '../../lib/cli/commands/start';
import { printTimings, timeRounds, type TimedCalls } from './bench-timings';
import { startKeptZooScaleDatabase } from './zoo-scale-db';

const { values } = parseArgs({
  options: {
    paths: { type: 'string', default: '/,/explorer?dataset=coco,/zoo' },
    rounds: { type: 'string', default: '6' },
  },
});
const ROOT = path.resolve(import.meta.dirname, '../..');
const PORT = 3302;
const base = `http://127.0.0.1:${PORT}`;
const paths = values.paths.split(',').filter(Boolean);

const kept = await startKeptZooScaleDatabase();
const web = spawnWebServer(ROOT, PORT, kept.url, { stdio: 'pipe' });
try {
  await waitForHttp(`${base}/api/jobs`, web, 120_000);
  const bytes = new Map<string, number>();
  const read = async (name: string, p: string, headers: Record<string, string>) => {
    const res = await fetch(base + p, { headers });
    const body = await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${name}: HTTP ${res.status}`);
    bytes.set(name, body.byteLength);
  };
  const calls: TimedCalls = {};
  for (const p of paths) {
    calls[`${p} page`] = () => read(`${p} page`, p, {});
    calls[`${p} rsc`] = () => read(`${p} rsc`, p, { RSC: '1' });
  }
  for (const p of paths) {
    const t = performance.now();
    await read(`${p} page`, p, {});
    console.log(`${p}: first read ${(performance.now() - t).toFixed(0)} ms`);
  }
  const ms = await timeRounds(calls, Number(values.rounds));
  for (const [name, b] of bytes) console.log(`${name.padEnd(32)} ${(b / 1000).toFixed(0)} kB`);
  printTimings(ms);
} finally {
  await stopChild(web);
  await kept.stop();
}
