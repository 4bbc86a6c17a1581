/**
 * Reading and writing ONNX model files. A read model is self-contained in memory: initializers stored
 * as external data (TensorProto.data_location = EXTERNAL, keys location/offset/length) are loaded
 * into raw_data. Writes are atomic: a temp file in the target folder, renamed only on success.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SlimboardError } from '../errors';
import { onnx, toInt, type ModelProto } from './proto';
import { tensorDims, elementCount } from './tensor';
import { dataTypeBits } from './proto';

/** Default-domain opsets this module understands (shape rules written against ONNX 1.16 operators). */
export const MIN_OPSET = 7;
export const MAX_OPSET = 21;

export interface LoadedModel {
  model: ModelProto;
  /** File the model came from, or '<bytes>'. */
  source: string;
  /** Bytes on disk: the .onnx file plus every distinct external-data file it references. */
  sizeBytes: number;
  /** External data files (paths relative to the model's folder). */
  externalFiles: string[];
  /** Opset of the default ("" / "ai.onnx") domain. */
  opset: number;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

/** Decode and validate model bytes. `baseDir` resolves external data (null: external data is an error). */
export function decodeModel(bytes: Uint8Array, source: string, baseDir: string | null = null): LoadedModel {
  if (bytes.length === 0) throw new SlimboardError('bad_model', `${source}: empty file, not an ONNX model`);
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const msg = firstLine(e);
    const truncated = /index out of range/i.test(msg);
    throw new SlimboardError(
      'bad_model',
      truncated
        ? `${source}: truncated or corrupt ONNX file (protobuf decoding ran past the end: ${msg})`
        : `${source}: not an ONNX model (protobuf decoding failed: ${msg})`,
      { cause: e },
    );
  }
  const ir = toInt(model.irVersion);
  if (!model.graph || ir < 1 || ir > 12 || (model.opsetImport ?? []).length === 0) {
    throw new SlimboardError('bad_model', `${source}: not an ONNX model (no graph, IR version or opset import)`);
  }
  const defaultOpset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = defaultOpset ? toInt(defaultOpset.version) : 0;
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new SlimboardError(
      'unsupported_opset',
      `${source}: default-domain opset ${opset} is not supported (supported ${MIN_OPSET} to ${MAX_OPSET})`,
    );
  }
  const externalFiles = loadExternalData(model, source, baseDir);
  let sizeBytes = bytes.length;
  if (baseDir !== null) for (const f of externalFiles) sizeBytes += fs.statSync(path.join(baseDir, f)).size;
  return { model, source, sizeBytes, externalFiles, opset };
}

function loadExternalData(model: ModelProto, source: string, baseDir: string | null): string[] {
  const files = new Set<string>();
  const cache = new Map<string, Buffer>();
  for (const t of model.graph?.initializer ?? []) {
    if (toInt(t.dataLocation) !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
    const kv = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const location = kv.get('location');
    if (!location) throw new SlimboardError('bad_model', `${source}: initializer "${t.name}" has external data without a location`);
    if (baseDir === null)
      throw new SlimboardError(
        'bad_model',
        `${source}: initializer "${t.name}" uses external data "${location}" but the model was given as bytes`,
      );
    if (path.isAbsolute(location) || path.normalize(location).startsWith('..')) {
      throw new SlimboardError(
        'bad_model',
        `${source}: initializer "${t.name}" external data location "${location}" must be a relative path inside the model's folder`,
      );
    }
    const file = path.join(baseDir, location);
    let buf = cache.get(file);
    if (!buf) {
      try {
        buf = fs.readFileSync(file);
      } catch {
        throw new SlimboardError('bad_model', `${source}: external data file "${location}" of initializer "${t.name}" cannot be read`);
      }
      cache.set(file, buf);
    }
    files.add(location);
    const offset = kv.has('offset') ? Number(kv.get('offset')) : 0;
    const bits = dataTypeBits(toInt(t.dataType));
    const expected = Math.ceil((elementCount(tensorDims(t)) * bits) / 8);
    const length = kv.has('length') ? Number(kv.get('length')) : expected;
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > buf.length) {
      throw new SlimboardError(
        'bad_model',
        `${source}: external data of "${t.name}" (offset ${offset}, length ${length}) runs past the end of "${location}" (${buf.length} ` +
          `bytes): truncated file`,
      );
    }
    if (bits > 0 && length !== expected) {
      throw new SlimboardError('bad_model', `${source}: external data of "${t.name}" has ${length} bytes, expected ${expected}`);
    }
    t.rawData = new Uint8Array(buf.buffer, buf.byteOffset + offset, length);
    t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
    t.externalData = [];
  }
  return [...files].sort();
}

/** Read an ONNX file (and its external data). Every failure is a one-line SlimboardError naming the file. */
export function readModelFile(file: string): LoadedModel {
  let bytes: Buffer;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new SlimboardError('bad_model', `${file}: not a file`);
    bytes = fs.readFileSync(file);
  } catch (e) {
    if (e instanceof SlimboardError) throw e;
    throw new SlimboardError('file_not_found', `${file}: cannot read model file (${(e as NodeJS.ErrnoException).code ?? firstLine(e)})`);
  }
  return decodeModel(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file, path.dirname(path.resolve(file)));
}

export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Write a file atomically: the bytes go to a temp file beside `file`, renamed over it only when
 * complete, so a failure never leaves a partial or half-written model behind.
 */
export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw new SlimboardError('bad_output', `${file}: output folder ${dir} does not exist`);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new SlimboardError('bad_output', `${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? firstLine(e)})`);
  }
}

/** Encode and write a model atomically; returns the bytes written. */
export function writeModelFile(model: ModelProto, file: string): number {
  const bytes = encodeModel(model);
  writeFileAtomic(file, bytes);
  return bytes.length;
}
