/**
 * Runs one ONNX model with onnxruntime-node (through lib/inference/runtime/ort.ts) over pre-resized inputs written
 * by slimzoo/ort_eval.py, and writes the raw outputs back, so the Python side can compute COCO AP of what
 * onnxruntime really computes (int8 kernels included).
 * usage: npx tsx tools/demo-zoo/ort-dump.ts --model F.onnx --inputs X.bin --count N --size S --classes C --out Y.bin
 * X.bin: float32 [N, 3, S, S]; Y.bin: float32 [N, candidates, 4 + C] (boxes then scores per candidate).
 */
import { open, readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createSession } from '../../lib/inference/runtime/ort';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      inputs: { type: 'string' },
      count: { type: 'string' },
      size: { type: 'string' },
      classes: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const n = Number(values.count);
  const s = Number(values.size);
  const c = Number(values.classes);
  const session = await createSession(values.model!, { intraOpNumThreads: 1 });
  const inputs = await readFile(values.inputs!);
  const per = 3 * s * s;
  const out = await open(values.out!, 'w');
  for (let i = 0; i < n; i++) {
    const data = new Float32Array(inputs.buffer.slice(inputs.byteOffset + i * per * 4, inputs.byteOffset + (i + 1) * per * 4));
    const r = await session.run({ image: { data, dims: [1, 3, s, s] } });
    const k = r.boxes.dims[1];
    const row = new Float32Array(k * (4 + c));
    for (let j = 0; j < k; j++) {
      row.set(r.boxes.data.subarray(j * 4, j * 4 + 4), j * (4 + c));
      row.set(r.scores.data.subarray(j * c, j * c + c), j * (4 + c) + 4);
    }
    await out.write(new Uint8Array(row.buffer));
  }
  await out.close();
  await session.release();
}

main().catch((e) => {
  process.stderr.write(`ort-dump: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
