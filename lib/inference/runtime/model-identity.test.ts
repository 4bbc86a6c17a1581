import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { graphContainsNms, readModelIdentity } from './model-identity';

const FIX = path.join(import.meta.dirname, '..', '__fixtures__');

describe('readModelIdentity', () => {
  it('reads opset, op types and sha256 of real ONNX files', () => {
    const bytes = readFileSync(path.join(FIX, 'detector-paddle.onnx'));
    const id = readModelIdentity(bytes, 'p');
    expect(id.opset).toBe(13);
    expect(id.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(id.opTypes).toContain('NonMaxSuppression');
    expect(graphContainsNms(id)).toBe(true);
    const conv = readModelIdentity(readFileSync(path.join(FIX, 'not-a-detector.onnx')), 'c');
    expect(conv.opTypes).toEqual(['Conv']);
    expect(graphContainsNms(conv)).toBe(false);
  });
  it('hand-built minimal model: ir_version 8, opset_import {"", 17}, graph with one Relu node', () => {
    // NodeProto { op_type(4) = "Relu" } = 22 04 'R' 'e' 'l' 'u'
    const node = [0x22, 4, ...Buffer.from('Relu')];
    const graph = [0x0a, node.length, ...node]; // GraphProto.node (1)
    const opset = [0x10, 17]; // OperatorSetIdProto.version (2) = 17, domain empty
    const model = Uint8Array.from([0x08, 8, 0x3a, graph.length, ...graph, 0x42, opset.length, ...opset]);
    expect(readModelIdentity(model)).toMatchObject({ irVersion: 8, opset: 17, opsets: { 'ai.onnx': 17 }, opTypes: ['Relu'] });
  });
  it('EXPECTED FAILURE: text, empty, truncated files are rejected with the file name', () => {
    expect(() => readModelIdentity(Buffer.from('hello world'), 'x.onnx')).toThrow(/^x\.onnx: /);
    expect(() => readModelIdentity(new Uint8Array(0), 'e.onnx')).toThrow(/e\.onnx: not an ONNX model/);
    const bytes = readFileSync(path.join(FIX, 'detector-yolo.onnx'));
    expect(() => readModelIdentity(bytes.subarray(0, bytes.length - 10), 't.onnx')).toThrow(/t\.onnx: truncated/);
  });
  it('property: random bytes never crash with anything but a SlimboardError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      try {
        readModelIdentity(b, 'r');
      } catch (e) {
        expect((e as Error).name).toBe('SlimboardError');
      }
    }));
  });
});
