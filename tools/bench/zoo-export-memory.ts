/**
 * Memory of one full streamed zoo export (lib/zoo/export-stream.ts), alone in a fresh process, as the server sees it:
 * RSS before the export, the peak while it streams (sampled every 20 ms and at every chunk) and the growth, with the
 * bytes and the time. Run after `tools/bench/zoo-scale.ts --keep` (it starts that run's embedded server again), or on
 * `--url`:
 *
 *   npx tsx tools/bench/zoo-export-memory.ts [--format csv|json] [--sort gflops] [--batch 500] [--url postgresql://…]
 *
 * `--gc-every N` with NODE_OPTIONS=--expose-gc forces a full collection every N chunks and prints the live heap
 * (what the export holds, as against what V8 has not collected yet).
 *
 * Issue #15's bar: a full export of about 300,000 rows in at most 60 s, with RSS growth of at most 150 MB.
 */
import { parseArgs } from 'node:util';
import { zooExportStream } from '../../lib/zoo/export-stream';
import { parseZooQuery } from '../../lib/zoo/query';
import { startKeptZooScaleDatabase } from './zoo-scale-db';
import { createPrismaClient } from '../../lib/db/client';
import { loadAverages } from './bench-timings';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    format: { type: 'string', default: 'csv' },
    sort: { type: 'string' },
    batch: { type: 'string' },
    'gc-every': { type: 'string' },
  },
});
const format = values.format === 'json' ? 'json' : 'csv';
const kept = values.url ? null : await startKeptZooScaleDatabase();
const db = createPrismaClient(values.url ?? kept!.url);
await db.$queryRaw`SELECT 1`; // connect before the baseline

const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
const before = process.memoryUsage();
const rssBefore = before.rss;
let peak = rssBefore;
let atPeak = process.memoryUsage();
const sample = () => {
  const m = process.memoryUsage();
  if (m.rss > peak) {
    peak = m.rss;
    atPeak = m;
  }
};
const timer = setInterval(sample, 20);
const t0 = performance.now();
const query = parseZooQuery(values.sort ? { sort: values.sort, dir: 'desc' } : {});
const stream = await zooExportStream(db, query, {
  format,
  baseUrl: 'http://127.0.0.1:3000',
  batchRows: values.batch ? Number(values.batch) : undefined,
});
const firstChunkMs = { v: 0 };
let bytes = 0;
let chunks = 0;
for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
  if (chunks === 0) firstChunkMs.v = performance.now() - t0;
  bytes += chunk.byteLength;
  chunks++;
  sample();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (values['gc-every'] && gc && chunks % Number(values['gc-every']) === 0) {
    gc();
    const m = process.memoryUsage();
    console.log(`after a full gc at chunk ${chunks}: live heap ${mib(m.heapUsed)}, rss ${mib(m.rss)}`);
  }
}
clearInterval(timer);
const seconds = (performance.now() - t0) / 1000;
console.log(
  `${new Date().toISOString()}  export ${format}${values.sort ? ` sort=${values.sort}` : ''}: ${mib(bytes)} in ${chunks} chunks, ` +
    `${seconds.toFixed(1)} s (first chunk after ${(firstChunkMs.v / 1000).toFixed(1)} s); RSS before ${mib(rssBefore)} ` +
    `(V8 heap ${mib(before.heapUsed)} used of ${mib(before.heapTotal)}), ` +
    `peak ${mib(peak)} (V8 heap ${mib(atPeak.heapUsed)} used of ${mib(atPeak.heapTotal)}, external ${mib(atPeak.external)}), ` +
    `growth ${mib(peak - rssBefore)}; batches of ${values.batch ?? 'EXPORT_BATCH_ROWS'} rows; load ${loadAverages()}`,
);
await db.$disconnect();
await kept?.stop();
