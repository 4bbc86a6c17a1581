/**
 * What identifies a model file for a measurement: its sha256, its opsets and the op types it uses.
 * Reads only the top-level ONNX protobuf fields it needs (wire-format walk; tensors are skipped by
 * length, never decoded), so it is cheap on a 200 MB model.
 *
 * ONNX field numbers used (onnx.proto): ModelProto.ir_version = 1, .graph = 7, .opset_import = 8;
 * OperatorSetIdProto.domain = 1, .version = 2; GraphProto.node = 1; NodeProto.op_type = 4, .domain = 7.
 */
import { createHash } from 'node:crypto';
import { SlimboardError } from '../../errors';

export interface ModelIdentity {
  sha256: string;
  sizeBytes: number;
  irVersion: number;
  /** Opset per domain; the default ONNX domain is reported as 'ai.onnx'. */
  opsets: Record<string, number>;
  /** Opset of the default ONNX domain (null if the model imports none). */
  opset: number | null;
  /** Distinct op types of the main graph, "domain::Op" for non-default domains, sorted. */
  opTypes: string[];
}

type Field = { field: number; wire: number; value: number | Uint8Array };

/** Iterate the fields of one protobuf message (bytes). Varints above 2^53 lose precision (not used here). */
function* fields(buf: Uint8Array, label: string): Generator<Field> {
  let pos = 0;
  const readVarint = (): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new SlimboardError('bad_model', `${label}: truncated protobuf (varint runs past the end)`);
      const b = buf[pos++];
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new SlimboardError('bad_model', `${label}: malformed protobuf varint`);
  };
  while (pos < buf.length) {
    const tag = readVarint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 0) throw new SlimboardError('bad_model', `${label}: not an ONNX model (protobuf field number 0)`);
    if (wire === 0) yield { field, wire, value: readVarint() };
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > buf.length) throw new SlimboardError('bad_model', `${label}: truncated protobuf (fixed-width field)`);
      pos += n;
      yield { field, wire, value: 0 };
    } else if (wire === 2) {
      const len = readVarint();
      if (pos + len > buf.length)
        throw new SlimboardError('bad_model', `${label}: truncated file (field ${field} needs ${len} bytes, ${buf.length - pos} left)`);
      const value = buf.subarray(pos, pos + len);
      pos += len;
      yield { field, wire, value };
    } else throw new SlimboardError('bad_model', `${label}: not an ONNX model (protobuf wire type ${wire})`);
  }
}

const utf8 = new TextDecoder('utf-8');

/** Read the identity of an ONNX model from its bytes. `label` names the file in error messages. */
export function readModelIdentity(bytes: Uint8Array, label = '<bytes>'): ModelIdentity {
  let irVersion = 0;
  const opsets: Record<string, number> = {};
  const ops = new Set<string>();
  let sawGraph = false;
  for (const f of fields(bytes, label)) {
    if (f.field === 1 && f.wire === 0) irVersion = f.value as number;
    else if (f.field === 8 && f.wire === 2) {
      let domain = '';
      let version = 0;
      for (const g of fields(f.value as Uint8Array, label)) {
        if (g.field === 1 && g.wire === 2) domain = utf8.decode(g.value as Uint8Array);
        else if (g.field === 2 && g.wire === 0) version = g.value as number;
      }
      opsets[domain === '' ? 'ai.onnx' : domain] = version;
    } else if (f.field === 7 && f.wire === 2) {
      sawGraph = true;
      for (const g of fields(f.value as Uint8Array, label)) {
        if (g.field !== 1 || g.wire !== 2) continue;
        let op = '';
        let domain = '';
        for (const h of fields(g.value as Uint8Array, label)) {
          if (h.field === 4 && h.wire === 2) op = utf8.decode(h.value as Uint8Array);
          else if (h.field === 7 && h.wire === 2) domain = utf8.decode(h.value as Uint8Array);
        }
        ops.add(domain === '' || domain === 'ai.onnx' ? op : `${domain}::${op}`);
      }
    }
  }
  if (!sawGraph || irVersion === 0) throw new SlimboardError('bad_model', `${label}: not an ONNX model (no ir_version or graph)`);
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sizeBytes: bytes.length,
    irVersion,
    opsets,
    opset: opsets['ai.onnx'] ?? null,
    opTypes: [...ops].sort(),
  };
}

/** Op types that mean "post-processing (NMS) is part of the graph". */
export const NMS_OP_TYPES: readonly string[] = [
  'NonMaxSuppression',
  'com.microsoft::NonMaxSuppression',
  'BatchedNMS_TRT',
  'EfficientNMS_TRT',
];

export function graphContainsNms(identity: ModelIdentity): boolean {
  return identity.opTypes.some((op) => NMS_OP_TYPES.includes(op) || /nms/i.test(op));
}
