/**
 * What a reader gets over HTTP right after a write, at scale (docs/scale.md, "After a write"): one `next start` on
 * the `tools/bench/zoo-scale.ts --keep` database (port 3301; build first with `npx next build`). Each page of
 * `--paths` is filled and read warm once; then, `--rounds` times, a real write (a no-op UPDATE of a dataset row,
 * which bumps the zoo version) is followed, page by page, by a request every 200 ms until the page is fresh again.
 * Prints, per page and round, the first read's time and whether it was stale (the page's `zoo-version-stale` note),
 * every stale read's time, and the first fresh read; then, per page and for all, p50, p95 and the slowest of those
 * reads. `/`, `/explorer` and `/zoo` name their zoo version (app/zoo-version-note.tsx). The server computes the
 * views no reader waits for in its zoo-views process; `SLIMBOARD_BACKGROUND_NICENESS=off` in this command's
 * environment makes it compute them in process, as before (docs/scale.md, "Background computations").
 *
 * Then three restarts of the server (docs/scale.md, "After a restart"), each followed by one read of every page: with
 * the views' stored values of this build (lib/zoo/zoo-view-snapshots.ts) and no write since; after a write; and with
 * the stored values deleted first (what a server without them does).
 *
 *   npx tsx tools/bench/zoo-after-write.ts [--rounds 3] [--paths /zoo,/,/explorer?dataset=coco] [--no-restarts]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnWebServer, stopChild, waitForHttp } from '../../lib/cli/commands/start';
import { createPrismaClient } from '../../lib/db/client';
import { quantileOf, timeAndLoad } from './bench-timings';
import { startKeptZooScaleDatabase, ZOO_NO_OP_WRITE_SQL } from './zoo-scale-db';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    paths: { type: 'string', default: '/zoo,/,/explorer?dataset=coco' },
    'no-restarts': { type: 'boolean', default: false },
  },
});
const ROOT = path.resolve(import.meta.dirname, '../..');
const PORT = 3301;
const base = `http://127.0.0.1:${PORT}`;
const paths = values.paths.split(',').filter(Boolean);

const kept = await startKeptZooScaleDatabase();
const db = createPrismaClient(kept.url);
let web = spawnWebServer(ROOT, PORT, kept.url, { stdio: 'pipe' });

interface Read {
  ms: number;
  status: number;
  stale: boolean;
  version: string | null;
}

async function read(p: string): Promise<Read> {
  const t = performance.now();
  const res = await fetch(base + p);
  const body = await res.text();
  return {
    ms: Math.round(performance.now() - t),
    status: res.status,
    stale: body.includes('data-testid="zoo-version-stale"'),
    version: /data-testid="zoo-version(?:-stale)?" data-version="(\d+)"/.exec(body)?.[1] ?? null,
  };
}

try {
  await waitForHttp(`${base}/api/jobs`, web, 120_000);
  console.log(timeAndLoad());
  for (const p of paths) {
    const fill = await read(p);
    const warm = await read(p);
    console.log(`${p}: fill ${fill.ms} ms, warm ${warm.ms} ms (version ${warm.version}, status ${warm.status})`);
  }
  const afterWrites = new Map<string, number[]>(paths.map((p) => [p, []]));
  for (let round = 1; round <= Number(values.rounds); round++) {
    await db.$executeRawUnsafe(ZOO_NO_OP_WRITE_SQL);
    for (const p of paths) {
      const reads = [await read(p)];
      while (reads.at(-1)!.stale) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        reads.push(await read(p));
      }
      const [first] = reads;
      const fresh = reads.at(-1)!;
      const stale = reads.filter((r) => r.stale).map((r) => r.ms);
      afterWrites.get(p)!.push(...reads.map((r) => r.ms));
      console.log(
        `round ${round} ${p}: first ${first.ms} ms (${first.stale ? `stale, version ${first.version}` : 'fresh'}); ` +
          `stale reads [${stale.join(' ')}] ms; fresh (version ${fresh.version}) after ${reads.length} reads, that one ${fresh.ms} ms`,
      );
    }
  }
  const summary = (ms: number[]) =>
    `${ms.length} reads, p50 ${quantileOf(ms, 0.5)} ms, p95 ${quantileOf(ms, 0.95)} ms, max ${Math.max(...ms)} ms`;
  for (const [p, ms] of afterWrites) console.log(`after writes, ${p}: ${summary(ms)} (stale ones and the first fresh one)`);
  console.log(`after writes, every page: ${summary([...afterWrites.values()].flat())}`);
  if (!values['no-restarts']) {
    const restarts: Array<[string, () => Promise<unknown>]> = [
      ['stored values, no write since', async () => undefined],
      ['stored values, a write before', () => db.$executeRawUnsafe(ZOO_NO_OP_WRITE_SQL)],
      ['stored values deleted', () => db.$executeRaw`DELETE FROM "ZooViewSnapshot"`],
    ];
    for (const [what, before] of restarts) {
      await stopChild(web);
      await before();
      web = spawnWebServer(ROOT, PORT, kept.url, { stdio: 'pipe' });
      await waitForHttp(`${base}/api/jobs`, web, 120_000);
      const firsts: string[] = [];
      for (const p of paths) {
        const r = await read(p);
        firsts.push(`${p} ${r.ms} ms (${r.stale ? 'stale' : 'fresh'}, version ${r.version}, status ${r.status})`);
      }
      console.log(`restart, ${what}: first reads ${firsts.join('; ')}`);
    }
  }
  console.log(timeAndLoad());
} finally {
  await stopChild(web);
  await db.$disconnect();
  await kept.stop();
}
