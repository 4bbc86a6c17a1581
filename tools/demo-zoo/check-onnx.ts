/**
 * Checks the shipped demo-zoo ONNX files with onnxruntime-node (through lib/inference/runtime/ort.ts):
 *   1. outputs agree with the PyTorch model that produced them (probe inputs written by the Python
 *      pipeline: max |diff| of boxes and scores at 320 / 416 / 608);
 *   2. latency at 416 (1 thread, batch 1, median of N runs) per model, and each int8 model's ratio to its
 *      fp32 parent.
 * usage: npx tsx tools/demo-zoo/check-onnx.ts --zoo lib/demo-zoo/models --probes DIR [--runs 30]
 * Prints one JSON object; the pipeline saves it as tools/demo-zoo/logs/check-onnx.json.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createSession } from '../../lib/inference/runtime/ort';

interface ProbeEntry {
  size: number;
  input: string;
  dims: number[];
  boxes: string;
  boxesDims: number[];
  scores: string;
  scoresDims: number[];
}

async function readFloats(file: string): Promise<Float32Array> {
  const buf = await readFile(file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { zoo: { type: 'string' }, probes: { type: 'string' }, runs: { type: 'string', default: '30' } },
  });
  const zoo = path.resolve(values.zoo ?? 'lib/demo-zoo/models');
  const probes = values.probes ? path.resolve(values.probes) : undefined;
  const runs = Number(values.runs);
  const manifest = JSON.parse(await readFile(path.join(zoo, 'manifest.json'), 'utf8')) as {
    models: Array<{ id: string; file: string; lineage: { parent?: string } }>;
  };
  const report: Record<string, unknown> = {};
  const medians: Record<string, number> = {};
  for (const m of manifest.models) {
    const session = await createSession(path.join(zoo, m.file), { intraOpNumThreads: 1 });
    const entry: Record<string, unknown> = {};
    if (probes) {
      const probeIndex = JSON.parse(await readFile(path.join(probes, `${m.id}.probe.json`), 'utf8')) as ProbeEntry[];
      for (const p of probeIndex) {
        const input = await readFloats(path.join(probes, p.input));
        const out = await session.run({ image: { data: input, dims: p.dims } });
        entry[`maxAbsDiff@${p.size}`] = {
          boxesPx: maxAbsDiff(out.boxes.data, await readFloats(path.join(probes, p.boxes))),
          scores: maxAbsDiff(out.scores.data, await readFloats(path.join(probes, p.scores))),
        };
      }
    }
    const image = new Float32Array(3 * 416 * 416).map((_, i) => ((i * 2654435761) % 1000) / 1000);
    const run = session.prepare({ image: { data: image, dims: [1, 3, 416, 416] } });
    for (let i = 0; i < 3; i++) await run();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await run();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    medians[m.id] = times[Math.floor(times.length / 2)];
    entry.latencyMedianMs416 = Math.round(medians[m.id] * 100) / 100;
    if (m.lineage.parent && medians[m.lineage.parent] !== undefined)
      entry.latencyRatioToParent = Math.round((medians[m.id] / medians[m.lineage.parent]) * 1000) / 1000;
    report[m.id] = entry;
    await session.release();
  }
  process.stdout.write(JSON.stringify({ checkedAt: new Date().toISOString(), runs, models: report }, null, 2) + '\n');
}

main().catch((e) => {
  process.stderr.write(`check-onnx: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
