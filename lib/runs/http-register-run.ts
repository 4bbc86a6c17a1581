import { Readable, PassThrough } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { SlimboardError } from '../errors';
import { modelPageUrl, publicBaseUrl } from '../http/public-base-url';
import type { Pipeline } from '../jobs/pipeline';
import { registerRun, type RegisteredRunSummary, type RunDoor } from './register-run';
import { parseRunMetadataJson } from './run-metadata';

/**
 * POST /api/runs (and the upload form, which posts here): multipart/form-data with
 *   meta  (field, JSON, FIRST)  the run metadata (ZRunMetadata)
 *   file  (file part)           the .onnx model, streamed to the artifact store as it arrives
 *   door  (field, optional)     "web" when sent by the upload page
 * Auth (Bearer token, same origin) and error mapping are the route wrapper's (lib/http/api-route.ts): this
 * receives the verified token's id and throws SlimboardErrors. Plain Web Request in, Response out.
 * 201: `{ run: RegisteredRunSummary, modelUrl }` (the model page's absolute URL); 200 when linked to an earlier run.
 */

const MULTIPART_SLACK_BYTES = 1024 * 1024;

const META_MAX_BYTES = 256 * 1024;

export async function handleRegisterRunRequest(
  req: Request,
  p: Pipeline,
  o: { maxBytes: number; tokenId: string; owner: string },
): Promise<Response> {
  const contentType = req.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data/i.test(contentType)) {
    const hint = 'send multipart/form-data with a "meta" field (JSON) followed by a "file" part (the .onnx)';
    throw new SlimboardError('unsupported_media_type', hint, { status: 415 });
  }
  if (!req.body) throw new SlimboardError('bad_request', 'request has no body');
  const contentLength = Number(req.headers.get('content-length') ?? NaN);
  const body = req.body as unknown as NodeWebReadableStream<Uint8Array>;
  const summary = await receiveMultipart(body, contentType, async (meta, door, fileName, file) =>
    registerRun(p, {
      metadata: meta,
      fileName,
      file,
      // Refuse at once when the request alone is larger than the limit plus multipart overhead.
      declaredSizeBytes: Number.isFinite(contentLength) && contentLength > o.maxBytes + MULTIPART_SLACK_BYTES ? contentLength : undefined,
      door,
      tokenId: o.tokenId,
      owner: o.owner,
      maxBytes: o.maxBytes,
    }),
  );
  // 200 when the upload linked to an earlier run with the same bytes and equivalent metadata (nothing created).
  // modelUrl: the model's page, absolute (SLIMBOARD_PUBLIC_URL or this request's origin).
  const modelUrl = modelPageUrl(publicBaseUrl(req), summary.modelSlug);
  return Response.json({ run: summary, modelUrl }, { status: summary.sameFileAs?.linked ? 200 : 201 });
}

function metaTooLargeError(): SlimboardError {
  const message = `meta: too large (over ${META_MAX_BYTES / 1024} KiB); send only the run metadata in it`;
  return new SlimboardError('bad_metadata', message, { status: 413 });
}

type OnFile = (meta: unknown, door: RunDoor, fileName: string, file: Readable) => Promise<RegisteredRunSummary>;

/** Stream the multipart body: the meta field must precede the file, which is handed over as a stream. */
function receiveMultipart(body: NodeWebReadableStream<Uint8Array>, contentType: string, onFile: OnFile): Promise<RegisteredRunSummary> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      // defParamCharset: file names are UTF-8 (what browsers and curl send), not busboy's default Latin-1.
      bb = busboy({
        headers: { 'content-type': contentType },
        preservePath: true,
        defParamCharset: 'utf8',
        limits: { files: 2, fields: 4, fieldSize: META_MAX_BYTES },
      });
    } catch (e) {
      reject(new SlimboardError('bad_request', `malformed multipart request (${e instanceof Error ? e.message : String(e)})`));
      return;
    }
    const source = Readable.fromWeb(body);
    let metaText: string | undefined;
    let door: RunDoor = 'api';
    let started = false;
    let file: PassThrough | undefined;
    let settled = false;
    const finish = (fn: () => void) => {
      if (!settled) {
        settled = true;
        fn();
      }
    };
    let metaTooLarge = false;
    bb.on('field', (name, value, info) => {
      if (name === 'meta' && info.valueTruncated) metaTooLarge = true;
      else if (name === 'meta') metaText = value;
      else if (name === 'door' && value === 'web') door = 'web';
    });
    let metaFile: Promise<string> | undefined;
    bb.on('file', (name, stream, info) => {
      if (name === 'meta' && metaText === undefined && !metaFile) {
        // `curl -F meta=@meta.json` sends the metadata as a file part: read it (bounded) as text.
        metaFile = new Promise((res, rej) => {
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= META_MAX_BYTES) chunks.push(c);
          });
          stream.on('error', rej);
          stream.on('end', () => (size > META_MAX_BYTES ? rej(metaTooLargeError()) : res(Buffer.concat(chunks).toString('utf8'))));
        });
        return;
      }
      if (name !== 'file' || started) {
        stream.resume();
        return;
      }
      started = true;
      if (metaFile) {
        stream.pause();
        metaFile.then(
          (text) => {
            metaText = text;
            handleFile(stream, info);
          },
          (e) => {
            stream.resume();
            finish(() => reject(e));
          },
        );
        return;
      }
      handleFile(stream, info);
    });
    const handleFile = (stream: Readable, info: busboy.FileInfo) => {
      if (metaTooLarge) {
        stream.resume();
        finish(() => reject(metaTooLargeError()));
        return;
      }
      if (metaText === undefined) {
        stream.resume();
        finish(() => reject(new SlimboardError('bad_request', 'the "meta" field must come before the "file" part in the form')));
        return;
      }
      let meta: unknown;
      try {
        meta = JSON.parse(metaText);
      } catch {
        // Let the shared parser produce the one-line message.
        try {
          parseRunMetadataJson(metaText, 'meta');
        } catch (e) {
          stream.resume();
          finish(() => reject(e));
          return;
        }
      }
      // A PassThrough so that a cut-off request surfaces as an error on the file stream we hand over.
      file = new PassThrough();
      // Errors reach registerRun through its pipeline; this keeps a late one from being unhandled.
      file.on('error', () => undefined);
      stream.on('error', (e) => file!.destroy(e));
      stream.on('limit', () => file!.destroy(new Error('file part truncated')));
      stream.pipe(file!);
      onFile(meta, door, info.filename ?? '', file!).then(
        (summary) => finish(() => resolve(summary)),
        (e) => {
          // Stop reading whatever is left (e.g. the rest of a 3 GiB upload refused at once).
          source.destroy();
          finish(() => reject(e));
        },
      );
    };
    bb.on('error', (e) => {
      const err = new SlimboardError('upload_incomplete', `upload cut off before the end (${e instanceof Error ? e.message : String(e)})`);
      // Once the file was handed over, its stream carries the error and registerRun fails the run.
      if (file) file.destroy(err);
      else finish(() => reject(err));
    });
    bb.on('close', () => {
      if (!started)
        finish(() => reject(new SlimboardError('bad_request', 'no "file" part in the form (send the .onnx as a file named "file")')));
    });
    source.on('error', (e) => {
      const err = new SlimboardError('upload_incomplete', `upload cut off before the end (${e instanceof Error ? e.message : String(e)})`);
      if (file) file.destroy(err);
      else finish(() => reject(err));
    });
    source.pipe(bb);
  });
}
