/**
 * Subnormal float32 weights in the demo zoo (or in the given files): the first suspect when two models with
 * the same architecture differ in latency (see lib/measure/denormals.ts and docs/paired-latency.md).
 *
 *   npx tsx tools/bench/denormals.ts [FILE.onnx ...]
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { modelSubnormals } from '../../lib/measure/denormals';
import { readModelFile } from '../../lib/onnx/model-file';

const ZOO = path.resolve(import.meta.dirname, '../../lib/demo-zoo/models');
const zooFiles = () => readdirSync(ZOO).filter((f) => f.endsWith('.onnx')).map((f) => path.join(ZOO, f));
const files = process.argv.length > 2 ? process.argv.slice(2) : zooFiles();
for (const file of files) {
  const r = modelSubnormals(readModelFile(file).model);
  const worst = [...r.tensorsWithSubnormals].sort((a, b) => b.subnormal - a.subnormal).slice(0, 3);
  console.log(
    `${path.basename(file).padEnd(64)} float32 weights ${String(r.total).padStart(8)}  zero ${String(r.zero).padStart(7)}  ` +
      `subnormal ${String(r.subnormal).padStart(6)}  non-finite ${r.nonFinite}` +
      (worst.length ? `  (most in ${worst.map((w) => `${w.name}: ${w.subnormal}/${w.total}`).join(', ')})` : ''),
  );
}
