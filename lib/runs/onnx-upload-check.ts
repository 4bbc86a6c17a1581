import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { getEnv } from '../env';
import { SlimboardError } from '../errors';
import { readModelFile } from '../onnx/model-file';
import { DataType, dataTypeName, toInt, type ModelProto } from '../onnx/proto';
import { createConcurrencyLimit, type ConcurrencyLimit } from '../concurrency-limit';

/**
 * The check an upload passes before its run is accepted: the file is a parseable ONNX model (opset and
 * IR in range, not truncated) with an image input, i.e. a float tensor of rank 4 laid out NCHW with
 * 1 or 3 channels (H and W may be symbolic). Deeper checks (input sizes, adapter, dataset classes, NaN
 * outputs) need onnxruntime and run in the analyse/evaluate jobs.
 */
export interface OnnxUploadSummary {
  opset: number;
  irVersion: number;
  /** Name and declared shape of the image input, symbolic dims as strings. */
  imageInput: { name: string; shape: Array<number | string> };
  outputs: Array<{ name: string; shape: Array<number | string> }>;
}

function declaredShape(v: {
  type?: { tensorType?: { shape?: { dim?: Array<{ dimValue?: unknown; dimParam?: string | null }> | null } | null } | null } | null;
}): Array<number | string> {
  return (v.type?.tensorType?.shape?.dim ?? []).map((d) =>
    d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? toInt(d.dimValue) : '?',
  );
}

/** Pure: inspect a decoded model. `label` names the file in errors (the user's file name). */
export function summarizeUploadedModel(model: ModelProto, label: string, opset: number): OnnxUploadSummary {
  const graph = model.graph!;
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((i) => !initializers.has(i.name ?? ''));
  if (inputs.length === 0) throw new SlimboardError('not_an_image_model', `${label}: the model has no inputs`);
  const described = inputs.map((i) => {
    const elem = toInt(i.type?.tensorType?.elemType);
    return { name: i.name ?? '', elem, shape: declaredShape(i) };
  });
  const image = described.find(
    (d) => (d.elem === DataType.FLOAT || d.elem === DataType.FLOAT16) && d.shape.length === 4 && (d.shape[1] === 3 || d.shape[1] === 1),
  );
  if (!image) {
    const shown = described.map((d) => `"${d.name}" ${dataTypeName(d.elem)}[${d.shape.join(',')}]`).join(', ');
    throw new SlimboardError(
      'not_an_image_model',
      `${label}: no input is an image tensor (float [N,3,H,W] or [N,1,H,W]); inputs are ${shown}`,
    );
  }
  const outputs = (graph.output ?? []).map((o) => ({ name: o.name ?? '', shape: declaredShape(o) }));
  if (outputs.length === 0) throw new SlimboardError('bad_model', `${label}: the model has no outputs`);
  return { opset, irVersion: toInt(model.irVersion), imageInput: { name: image.name, shape: image.shape }, outputs };
}

/** Printable ASCII/UTF-8 text with whitespace only: an ONNX file always has binary tags and lengths. */
function looksLikeText(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x7f) return false;
  return true;
}

/** In-process check (used by the child entry below and by tests). */
export function checkOnnxFile(file: string, label: string): OnnxUploadSummary {
  const head = Buffer.alloc(512);
  const fd = fs.openSync(file, 'r');
  const headBytes = fs.readSync(fd, head, 0, head.length, 0);
  fs.closeSync(fd);
  if (headBytes > 0 && looksLikeText(head.subarray(0, headBytes))) {
    throw new SlimboardError('bad_model', `${label}: not an ONNX model (looks like a text file; ONNX files are binary protobuf)`);
  }
  let loaded;
  try {
    loaded = readModelFile(file);
  } catch (e) {
    if (e instanceof SlimboardError) throw new SlimboardError(e.code, e.message.split(file).join(label));
    throw e;
  }
  if (loaded.externalFiles.length > 0)
    throw new SlimboardError('bad_model', `${label}: uses external data files; upload a single self-contained .onnx`);
  return summarizeUploadedModel(loaded.model, label, loaded.opset);
}

let checks: ConcurrencyLimit | undefined;

/**
 * Run the check in a child process so that decoding a large model never grows the web server's
 * memory (the upload itself streams with constant memory). Resolves the summary or rejects with the
 * child's one-line SlimboardError. At most SLIMBOARD_ONNX_CHECK_CONCURRENCY checks run at once per
 * process (twenty simultaneous uploads no longer start twenty children); the timeout starts with the child.
 */
export function checkOnnxFileIsolated(file: string, label: string, timeoutMs = 120_000): Promise<OnnxUploadSummary> {
  checks ??= createConcurrencyLimit(getEnv().SLIMBOARD_ONNX_CHECK_CONCURRENCY);
  return checks.run(() => checkInChild(file, label, timeoutMs));
}

function checkInChild(file: string, label: string, timeoutMs: number): Promise<OnnxUploadSummary> {
  const entry = path.join(process.cwd(), 'lib', 'runs', 'onnx-upload-check-entry.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, file, label], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: process.cwd(),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) {
        try {
          resolve(JSON.parse(out) as OnnxUploadSummary);
        } catch {
          reject(new Error(`ONNX check printed no summary: ${out.slice(0, 200)}`));
        }
      } else if (code === 2) {
        const parsed = safeJson(err.trim().split('\n').pop() ?? '');
        reject(new SlimboardError(parsed?.code ?? 'bad_model', parsed?.message ?? `${label}: ${err.trim().split('\n').pop()}`));
      } else {
        reject(new Error(`ONNX check crashed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' ')}`));
      }
    });
  });
}

function safeJson(line: string): { code: string; message: string } | null {
  try {
    return JSON.parse(line) as { code: string; message: string };
  } catch {
    return null;
  }
}
