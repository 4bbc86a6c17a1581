/**
 * TensorProto values: decode any storage form (raw_data or the typed repeated fields) into
 * little-endian raw bytes or JS numbers, build tensors, and slice them along one axis (pruning).
 * Tensors are dense and row-major (C order); `dims` is the shape.
 */
import { SlimboardError } from '../errors';
import { DataType, dataTypeBits, dataTypeName, onnx, toInt, type TensorProto } from './proto';

export function tensorDims(t: TensorProto): number[] {
  return (t.dims ?? []).map(toInt);
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * The tensor's values as little-endian raw bytes, whatever field they are stored in.
 * Throws for external data that was not loaded, strings and sub-byte types stored in typed fields.
 */
export function tensorRawBytes(t: TensorProto): Uint8Array {
  const name = t.name ?? '(unnamed)';
  if (toInt(t.dataLocation) === onnx.TensorProto.DataLocation.EXTERNAL && !(t.rawData && t.rawData.length)) {
    throw new SlimboardError('bad_model', `tensor "${name}": external data was not loaded`);
  }
  const type = toInt(t.dataType);
  const n = elementCount(tensorDims(t));
  if (t.rawData && t.rawData.length > 0) return t.rawData;
  if (n === 0) return new Uint8Array(0);
  switch (type) {
    case DataType.FLOAT:
      return bytesOf(Float32Array.from(t.floatData ?? []));
    case DataType.DOUBLE:
      return bytesOf(Float64Array.from(t.doubleData ?? []));
    case DataType.INT32:
      return bytesOf(Int32Array.from(t.int32Data ?? []));
    case DataType.INT16:
      return bytesOf(Int16Array.from(t.int32Data ?? []));
    case DataType.UINT16:
    case DataType.FLOAT16:
    case DataType.BFLOAT16:
      return bytesOf(Uint16Array.from(t.int32Data ?? []));
    case DataType.INT8:
      return bytesOf(Int8Array.from(t.int32Data ?? []));
    case DataType.UINT8:
    case DataType.BOOL:
      return bytesOf(Uint8Array.from(t.int32Data ?? []));
    case DataType.INT64:
      return bytesOf(BigInt64Array.from((t.int64Data ?? []).map((v) => BigInt(toInt(v)))));
    case DataType.UINT32:
      return bytesOf(Uint32Array.from((t.uint64Data ?? []).map(toInt)));
    case DataType.UINT64:
      return bytesOf(BigUint64Array.from((t.uint64Data ?? []).map((v) => BigInt(toInt(v)))));
    default:
      throw new SlimboardError('unsupported_tensor', `tensor "${name}": cannot read values of type ${dataTypeName(type)}`);
  }
}

function checkLength(t: TensorProto, raw: Uint8Array, bits: number): void {
  const n = elementCount(tensorDims(t));
  const expected = Math.ceil((n * bits) / 8);
  if (raw.length !== expected) {
    throw new SlimboardError(
      'bad_model',
      `tensor "${t.name ?? '(unnamed)'}": ${raw.length} data bytes for dims [${tensorDims(t).join(',')}] ` +
        `of ${dataTypeName(toInt(t.dataType))} (expected ${expected})`,
    );
  }
}

/** Float32 values of a FLOAT tensor (a view when aligned, else a copy). */
export function readFloat32(t: TensorProto): Float32Array {
  const type = toInt(t.dataType);
  if (type !== DataType.FLOAT) {
    throw new SlimboardError('unsupported_tensor', `tensor "${t.name}": expected float32, got ${dataTypeName(type)}`);
  }
  const raw = tensorRawBytes(t);
  checkLength(t, raw, 32);
  if (raw.byteOffset % 4 === 0) return new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  return new Float32Array(new Uint8Array(raw).buffer); // copy (Buffer.slice would be a view)
}

/** Values of a numeric tensor as JS numbers (meant for small tensors: shapes, axes, scales). */
export function readNumbers(t: TensorProto): number[] {
  const type = toInt(t.dataType);
  const raw = tensorRawBytes(t);
  const bits = dataTypeBits(type);
  if (bits < 8) throw new SlimboardError('unsupported_tensor', `tensor "${t.name}": cannot read ${dataTypeName(type)} values`);
  checkLength(t, raw, bits);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = elementCount(tensorDims(t));
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    switch (type) {
      case DataType.FLOAT:
        out[i] = dv.getFloat32(i * 4, true);
        break;
      case DataType.DOUBLE:
        out[i] = dv.getFloat64(i * 8, true);
        break;
      case DataType.INT64:
        out[i] = Number(dv.getBigInt64(i * 8, true));
        break;
      case DataType.UINT64:
        out[i] = Number(dv.getBigUint64(i * 8, true));
        break;
      case DataType.INT32:
        out[i] = dv.getInt32(i * 4, true);
        break;
      case DataType.UINT32:
        out[i] = dv.getUint32(i * 4, true);
        break;
      case DataType.INT16:
        out[i] = dv.getInt16(i * 2, true);
        break;
      case DataType.UINT16:
        out[i] = dv.getUint16(i * 2, true);
        break;
      case DataType.INT8:
        out[i] = dv.getInt8(i);
        break;
      case DataType.UINT8:
      case DataType.BOOL:
        out[i] = dv.getUint8(i);
        break;
      default:
        throw new SlimboardError('unsupported_tensor', `tensor "${t.name}": cannot read ${dataTypeName(type)} values as numbers`);
    }
  }
  return out;
}

export function makeFloatTensor(name: string, dims: readonly number[], values: Float32Array): TensorProto {
  if (values.length !== elementCount(dims)) throw new Error(`makeFloatTensor ${name}: ${values.length} values for [${dims.join(',')}]`);
  return onnx.TensorProto.create({
    name,
    dims: [...dims],
    dataType: DataType.FLOAT,
    rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)),
  });
}

export function makeInt64Tensor(name: string, dims: readonly number[], values: readonly number[]): TensorProto {
  if (values.length !== elementCount(dims)) throw new Error(`makeInt64Tensor ${name}: ${values.length} values for [${dims.join(',')}]`);
  return onnx.TensorProto.create({
    name,
    dims: [...dims],
    dataType: DataType.INT64,
    rawData: bytesOf(BigInt64Array.from(values.map((v) => BigInt(v)))),
  });
}

/**
 * A copy of `t` keeping only the indices `keep` (ascending) along `axis`, stored as raw_data.
 * Used by pruning: e.g. a conv weight [C_out, C_in/g, kH, kW] sliced on axis 0 removes filters.
 */
export function sliceTensor(t: TensorProto, axis: number, keep: readonly number[]): TensorProto {
  const dims = tensorDims(t);
  const type = toInt(t.dataType);
  const bits = dataTypeBits(type);
  if (bits < 8) throw new SlimboardError('unsupported_tensor', `tensor "${t.name}": cannot slice ${dataTypeName(type)} data`);
  if (axis < 0 || axis >= dims.length)
    throw new SlimboardError('prune_failed', `tensor "${t.name}": no axis ${axis} in dims [${dims.join(',')}]`);
  const raw = tensorRawBytes(t);
  checkLength(t, raw, bits);
  const esize = bits / 8;
  const outer = elementCount(dims.slice(0, axis));
  const inner = elementCount(dims.slice(axis + 1)) * esize;
  const n = dims[axis];
  const out = new Uint8Array(outer * keep.length * inner);
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (const k of keep) {
      const start = (a * n + k) * inner;
      out.set(raw.subarray(start, start + inner), o);
      o += inner;
    }
  }
  const newDims = [...dims];
  newDims[axis] = keep.length;
  return onnx.TensorProto.create({ name: t.name, dims: newDims, dataType: type, rawData: out, docString: t.docString ?? undefined });
}
