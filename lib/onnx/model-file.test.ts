import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { SlimboardError } from '../errors';
import { inferShapes } from './shape-inference';
import { A, GraphBuilder } from './graph';
import { decodeModel, encodeModel, readModelFile, writeModelFile } from './model-file';
import { onnx } from './proto';
import { readFloat32, readNumbers, sliceTensor, makeFloatTensor } from './tensor';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slimboard-onnx-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function tiny(opset = 13) {
  const b = new GraphBuilder('tiny', opset);
  b.input('x', [1, 2, 'H', 'W']);
  b.node('Conv', ['x', b.weight('w', [3, 2, 1, 1], Float32Array.from([1, 2, 3, 4, 5, 6]))], ['y'], { kernel_shape: A.ints([1, 1]) });
  b.output('y', [1, 3, 'H', 'W']);
  return b.build();
}

describe('model files', () => {
  it('round-trips a model through a file', () => {
    const file = path.join(dir, 'tiny.onnx');
    const written = writeModelFile(tiny(), file);
    const loaded = readModelFile(file);
    expect(loaded.sizeBytes).toBe(written);
    expect(loaded.opset).toBe(13);
    expect(Array.from(readFloat32(loaded.model.graph!.initializer![0]))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('loads external data (location/offset/length) and counts its bytes', () => {
    const model = tiny();
    const w = model.graph!.initializer![0];
    const data = Buffer.alloc(16 + 24);
    Buffer.from(readFloat32(w).buffer.slice(0)).copy(data, 16);
    fs.writeFileSync(path.join(dir, 'weights.bin'), data);
    w.rawData = new Uint8Array(0);
    w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    w.externalData = [
      { key: 'location', value: 'weights.bin' },
      { key: 'offset', value: '16' },
      { key: 'length', value: '24' },
    ];
    const file = path.join(dir, 'ext.onnx');
    const n = writeModelFile(model, file);
    const loaded = readModelFile(file);
    expect(loaded.externalFiles).toEqual(['weights.bin']);
    expect(loaded.sizeBytes).toBe(n + 40);
    expect(Array.from(readFloat32(loaded.model.graph!.initializer![0]))).toEqual([1, 2, 3, 4, 5, 6]);

    fs.writeFileSync(path.join(dir, 'weights.bin'), data.subarray(0, 30));
    expect(() => readModelFile(file)).toThrow(/runs past the end of "weights.bin".*truncated/);
    fs.rmSync(path.join(dir, 'weights.bin'));
    expect(() => readModelFile(file)).toThrow(/external data file "weights.bin" .* cannot be read/);
  });

  it('EXPECTED FAILURE: not ONNX, truncated, empty, missing, unsupported opset', () => {
    const text = path.join(dir, 'notes.onnx');
    fs.writeFileSync(text, 'this is a text file, not a model\n');
    expect(() => readModelFile(text)).toThrow(/notes\.onnx: (not an ONNX model|truncated)/);
    const bytes = encodeModel(tiny());
    const cut = path.join(dir, 'cut.onnx');
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expect(() => readModelFile(cut)).toThrow(/cut\.onnx: truncated or corrupt ONNX file/);
    const empty = path.join(dir, 'empty.onnx');
    fs.writeFileSync(empty, '');
    expect(() => readModelFile(empty)).toThrow(/empty file/);
    expect(() => readModelFile(path.join(dir, 'nope.onnx'))).toThrow(/cannot read model file \(ENOENT\)/);
    expect(() => decodeModel(encodeModel(tiny(22)), 'new.onnx')).toThrow(/opset 22 is not supported \(supported 7 to 21\)/);
    for (const opset of [11, 17, 21]) expect(decodeModel(encodeModel(tiny(opset)), 'ok').opset).toBe(opset);
  });
});

describe('fuzz: bad bytes never crash', () => {
  const only = (f: () => void) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(SlimboardError);
    }
  };
  it('random bytes are rejected with a SlimboardError', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 400 }), (bytes) => only(() => inferShapes(decodeModel(bytes, 'r').model, { inputSize: 8 }))), { numRuns: 500 });
  });
  it('every truncation of a real model either fails with a SlimboardError or still infers', () => {
    const bytes = encodeModel(tiny());
    for (let n = 0; n < bytes.length; n++) only(() => inferShapes(decodeModel(bytes.subarray(0, n), 'cut').model, { inputSize: 4 }));
  });
});

describe('tensors', () => {
  it('slices along an axis', () => {
    // [2, 3] = [[0,1,2],[3,4,5]]; keep columns 0 and 2 -> [[0,2],[3,5]]
    const t = makeFloatTensor('t', [2, 3], Float32Array.from([0, 1, 2, 3, 4, 5]));
    const s = sliceTensor(t, 1, [0, 2]);
    expect(s.dims).toEqual([2, 2]);
    expect(Array.from(readFloat32(s))).toEqual([0, 2, 3, 5]);
    expect(readNumbers(sliceTensor(t, 0, [1]))).toEqual([3, 4, 5]);
    expect(sliceTensor(t, 0, []).dims).toEqual([0, 3]);
  });
  it('reads typed fields as well as raw_data', () => {
    const t = onnx.TensorProto.create({ name: 'i', dims: [3], dataType: 7, int64Data: [1, -2, 3] });
    expect(readNumbers(t)).toEqual([1, -2, 3]);
    const f = onnx.TensorProto.create({ name: 'f', dims: [2], dataType: 1, floatData: [0.5, 2] });
    expect(Array.from(readFloat32(f))).toEqual([0.5, 2]);
  });
});
