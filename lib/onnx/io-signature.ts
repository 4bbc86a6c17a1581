import { SlimboardError } from '../errors';
import type { TensorElementType, ValueInfo } from '../inference/runtime/ort';

/**
 * A model's declared inputs, outputs and default-domain opset, read straight from the ONNX protobuf
 * bytes without decoding the weights: a wire-format walk that skips every field it does not need
 * (initializer payloads, nodes) by length. Pure and browser-safe (no protobufjs, no onnxruntime), so
 * the upload form can preview what adapter auto-detection (lib/inference/model-adapter.ts
 * `detectAdapter`) will find in a file before it is sent.
 *
 * Field numbers (onnx.proto3): ModelProto graph = 7, opset_import = 8 (domain = 1, version = 2);
 * GraphProto initializer = 5 (TensorProto name = 8), input = 11, output = 12; ValueInfoProto name = 1,
 * type = 2; TypeProto tensor_type = 1 (elem_type = 1, shape = 2); TensorShapeProto dim = 1
 * (dim_value = 1, dim_param = 2). Graph inputs that are initializers (old exports) are left out.
 * Shapes as onnxruntime reports them: symbolic dims are their names, unknown dims -1.
 */

export interface IoSignature {
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Default-domain (ai.onnx) opset, null if the model imports none. */
  opset: number | null;
}

const ELEM_TYPES: Record<number, TensorElementType> = {
  1: 'float32',
  2: 'uint8',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
};

type Field = { field: number; wire: number; start: number; end: number; value: number };

class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly label: string,
  ) {}

  private fail(what: string): never {
    throw new SlimboardError('bad_onnx', `${this.label}: not a readable ONNX model (${what})`);
  }

  private varint(pos: number, end: number): [number, number] {
    let value = 0;
    let mult = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) this.fail('truncated varint');
      const b = this.bytes[pos++];
      value += (b & 0x7f) * mult;
      if ((b & 0x80) === 0) return [value, pos];
      mult *= 128;
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** Every field of the message in [start, end): length-delimited ones as a byte range, varints as a value. */
  *fields(start: number, end: number): Generator<Field> {
    let pos = start;
    while (pos < end) {
      const [key, p1] = this.varint(pos, end);
      const field = Math.floor(key / 8);
      const wire = key % 8;
      if (field === 0) this.fail('field number 0');
      if (wire === 0) {
        const [value, p2] = this.varint(p1, end);
        yield { field, wire, start: p1, end: p2, value };
        pos = p2;
      } else if (wire === 1 || wire === 5) {
        pos = p1 + (wire === 1 ? 8 : 4);
        if (pos > end) this.fail('truncated fixed-width field');
      } else if (wire === 2) {
        const [len, p2] = this.varint(p1, end);
        if (p2 + len > end) this.fail('a field runs past the end of the file (truncated download?)');
        yield { field, wire, start: p2, end: p2 + len, value: len };
        pos = p2 + len;
      } else {
        this.fail(`unsupported wire type ${wire}`);
      }
    }
  }

  string(f: Field): string {
    return new TextDecoder().decode(this.bytes.subarray(f.start, f.end));
  }
}

function valueInfo(r: Reader, f: Field): ValueInfo {
  let name = '';
  let isTensor = false;
  let type: TensorElementType = 'other';
  const shape: Array<number | string> = [];
  for (const v of r.fields(f.start, f.end)) {
    if (v.field === 1 && v.wire === 2) name = r.string(v);
    if (v.field !== 2 || v.wire !== 2) continue;
    for (const t of r.fields(v.start, v.end)) {
      if (t.field !== 1 || t.wire !== 2) continue;
      isTensor = true;
      for (const tt of r.fields(t.start, t.end)) {
        if (tt.field === 1 && tt.wire === 0) type = ELEM_TYPES[tt.value] ?? 'other';
        if (tt.field !== 2 || tt.wire !== 2) continue;
        for (const d of r.fields(tt.start, tt.end)) {
          if (d.field !== 1 || d.wire !== 2) continue;
          let dim: number | string = -1;
          for (const x of r.fields(d.start, d.end)) {
            if (x.field === 1 && x.wire === 0) dim = x.value;
            if (x.field === 2 && x.wire === 2) dim = r.string(x);
          }
          shape.push(dim);
        }
      }
    }
  }
  return { name, isTensor, type, shape };
}

/** Read the inputs, outputs and opset of an ONNX model file's bytes. `label` names the file in errors. */
export function readIoSignature(bytes: Uint8Array, label: string): IoSignature {
  const r = new Reader(bytes, label);
  let graph: Field | null = null;
  let opset: number | null = null;
  for (const f of r.fields(0, bytes.length)) {
    if (f.field === 7 && f.wire === 2) graph = f;
    if (f.field === 8 && f.wire === 2) {
      let domain = '';
      let version: number | null = null;
      for (const o of r.fields(f.start, f.end)) {
        if (o.field === 1 && o.wire === 2) domain = r.string(o);
        if (o.field === 2 && o.wire === 0) version = o.value;
      }
      if ((domain === '' || domain === 'ai.onnx') && version !== null) opset = version;
    }
  }
  if (!graph) throw new SlimboardError('bad_onnx', `${label}: not an ONNX model (no graph)`);
  const initializers = new Set<string>();
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  for (const f of r.fields(graph.start, graph.end)) {
    if (f.field === 5 && f.wire === 2) {
      for (const t of r.fields(f.start, f.end)) if (t.field === 8 && t.wire === 2) initializers.add(r.string(t));
    } else if (f.field === 11 && f.wire === 2) inputs.push(valueInfo(r, f));
    else if (f.field === 12 && f.wire === 2) outputs.push(valueInfo(r, f));
  }
  if (outputs.length === 0) throw new SlimboardError('bad_onnx', `${label}: the model declares no outputs`);
  return { inputs: inputs.filter((i) => !initializers.has(i.name)), outputs, opset };
}
