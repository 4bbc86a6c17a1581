/**
 * The model the inference benchmarks run on by default: the YOLOv3-MobileNetV1 (COCO, 80 classes)
 * reference graph of lib/onnx, built once into the OS temp directory (seeded, deterministic).
 */
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeModel } from '../../lib/onnx/model-file';
import { buildYoloV3 } from '../../lib/onnx/yolov3';

export function referenceModelPath(): string {
  const file = path.join(os.tmpdir(), 'slimboard-bench-yolov3-mobilenet_v1-coco.onnx');
  if (!existsSync(file)) {
    process.stderr.write(`building YOLOv3-MobileNetV1 (80 classes) into ${file} ...\n`);
    writeFileSync(file, encodeModel(buildYoloV3({ backbone: 'mobilenet_v1', numClasses: 80 })));
  }
  return file;
}

/** `--name value` flags of a script, as strings. */
export function scriptFlags(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) out[a.slice(2)] = 'true';
    else {
      out[a.slice(2)] = v;
      i++;
    }
  }
  return out;
}
