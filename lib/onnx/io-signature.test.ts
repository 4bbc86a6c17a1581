import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSlimboardError } from '../errors';
import { detectAdapter } from '../inference/detection/model-adapter';
import { createSession } from '../inference/runtime/ort';
import { readIoSignature } from './io-signature';

const INFER_FIX = path.resolve(import.meta.dirname, '..', 'inference', '__fixtures__');
const ONNX_FIX = path.resolve(import.meta.dirname, '__fixtures__');
const FILES = [
  path.join(INFER_FIX, 'detector-decoded.onnx'),
  path.join(INFER_FIX, 'detector-paddle.onnx'),
  path.join(INFER_FIX, 'detector-yolo.onnx'),
  path.join(INFER_FIX, 'not-a-detector.onnx'),
  path.join(ONNX_FIX, 'torch-tiny-detector-opset17.onnx'),
  path.join(ONNX_FIX, 'torch-tiny-mobilenet-opset11.onnx'),
];

describe('readIoSignature: the same inputs and outputs onnxruntime reports (reference parity)', () => {
  for (const file of FILES) {
    it(path.basename(file), async () => {
      const bytes = new Uint8Array(fs.readFileSync(file));
      const sig = readIoSignature(bytes, path.basename(file));
      const session = await createSession(bytes, { intraOpNumThreads: 1 });
      try {
        expect(sig.inputs).toEqual(session.inputs);
        expect(sig.outputs).toEqual(session.outputs);
      } finally {
        await session.release();
      }
    });
  }
  it('reads the default-domain opset', () => {
    expect(readIoSignature(new Uint8Array(fs.readFileSync(path.join(ONNX_FIX, 'torch-tiny-detector-opset17.onnx'))), 'x').opset).toBe(17);
    expect(readIoSignature(new Uint8Array(fs.readFileSync(path.join(ONNX_FIX, 'torch-tiny-mobilenet-opset11.onnx'))), 'x').opset).toBe(11);
  });
});

describe('auto-detection preview from the bytes alone', () => {
  it('recognises the three adapter kinds', () => {
    const kind = (f: string) => {
      const s = readIoSignature(new Uint8Array(fs.readFileSync(path.join(INFER_FIX, f))), f);
      return detectAdapter(s.inputs, s.outputs, f).output.kind;
    };
    expect(kind('detector-decoded.onnx')).toBe('decoded');
    expect(kind('detector-paddle.onnx')).toBe('paddle-nms');
    expect(kind('detector-yolo.onnx')).toBe('yolo');
  });
});

describe('bad bytes never crash: a clear error naming the file', () => {
  it('empty file, a text file, a truncated model', () => {
    expect(() => readIoSignature(new Uint8Array(0), 'empty.onnx')).toThrow(/empty.onnx: not an ONNX model \(no graph\)/);
    expect(() => readIoSignature(new TextEncoder().encode('definitely not onnx'), 'a.onnx')).toThrow(/a.onnx: /);
    const full = new Uint8Array(fs.readFileSync(path.join(INFER_FIX, 'detector-yolo.onnx')));
    expect(() => readIoSignature(full.subarray(0, Math.floor(full.length / 2)), 'half.onnx')).toThrow(/half.onnx: /);
  });
  it('property: random bytes either parse or throw a SlimboardError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          readIoSignature(bytes, 'r.onnx');
        } catch (e) {
          expect(isSlimboardError(e)).toBe(true);
        }
      }),
    );
  });
});
