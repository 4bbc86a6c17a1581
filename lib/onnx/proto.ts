/**
 * The ONNX protobuf classes (onnx-proto, generated from onnx.proto of ONNX 1.10; protobufjs underneath)
 * and the few conversions every reader needs. Fields added by later IR versions (9, 10) are skipped on
 * decode; everything detectors use (opsets 11 to 21) is in this schema.
 */
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** A protobuf int64 as protobufjs gives it (a `Long` object, a number, or a decimal string) to a JS number. */
export function toInt(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') return Number(v);
  if (typeof v === 'object' && v !== null && 'low' in v && 'high' in v) {
    const l = v as { low: number; high: number; unsigned?: boolean; toNumber?: () => number };
    if (typeof l.toNumber === 'function') return l.toNumber();
    return l.high * 4294967296 + (l.low >>> 0);
  }
  return Number(v);
}

/** ONNX TensorProto.DataType codes used by Slimboard (the enum of onnx.proto). */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
} as const;

const DATA_TYPE_NAMES = new Map<number, string>(Object.entries(DataType).map(([k, v]) => [v, k.toLowerCase()]));

export function dataTypeName(code: number): string {
  return DATA_TYPE_NAMES.get(code) ?? `type${code}`;
}

/** Bits per element for fixed-size types; 0 for strings and unknown types. */
export function dataTypeBits(code: number): number {
  switch (code) {
    case DataType.FLOAT:
    case DataType.INT32:
    case DataType.UINT32:
      return 32;
    case DataType.DOUBLE:
    case DataType.INT64:
    case DataType.UINT64:
    case DataType.COMPLEX64:
      return 64;
    case DataType.COMPLEX128:
      return 128;
    case DataType.FLOAT16:
    case DataType.BFLOAT16:
    case DataType.INT16:
    case DataType.UINT16:
      return 16;
    case DataType.UINT8:
    case DataType.INT8:
    case DataType.BOOL:
    case DataType.FLOAT8E4M3FN:
    case DataType.FLOAT8E4M3FNUZ:
    case DataType.FLOAT8E5M2:
    case DataType.FLOAT8E5M2FNUZ:
      return 8;
    case DataType.UINT4:
    case DataType.INT4:
      return 4;
    default:
      return 0;
  }
}

export function isFloatType(code: number): boolean {
  return (
    code === DataType.FLOAT ||
    code === DataType.FLOAT16 ||
    code === DataType.DOUBLE ||
    code === DataType.BFLOAT16 ||
    (code >= DataType.FLOAT8E4M3FN && code <= DataType.FLOAT8E5M2FNUZ)
  );
}
