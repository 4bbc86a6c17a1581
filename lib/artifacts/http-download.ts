import { Readable } from 'node:stream';
import type pg from 'pg';
import { SlimboardError } from '../errors';
import { CONTENT_LENGTH_HEADER } from '../http/content-length';
import { parseRangeHeader } from './http-range';
import { SHA256_HEX, type ArtifactStore } from './store';

/**
 * GET /api/artifacts/<sha256>: stream a stored model or dataset archive. Headers: Content-Length, Content-Type,
 * Content-Disposition (the file name the model was registered with: an ASCII fallback plus the UTF-8 name,
 * RFC 6266 `filename*`), ETag = "<sha256>",
 * Accept-Ranges; `Range: bytes=a-b` -> 206 with Content-Range (416 when unsatisfiable);
 * If-None-Match with the sha256 -> 304. Plain Web Request/Response (no Next.js).
 */
export async function handleArtifactDownload(
  req: Request,
  sha256: string,
  db: Pick<pg.Pool, 'query'>,
  store: ArtifactStore,
): Promise<Response> {
  if (!SHA256_HEX.test(sha256))
    throw new SlimboardError('bad_sha256', `artifact id must be a lower-hex sha256 (64 characters), got "${sha256.slice(0, 80)}"`);
  const known = await db.query(
    `SELECT "fileName" FROM "RegisteredRun" WHERE sha256 = $1 AND state <> 'failed'
     UNION ALL SELECT "fileName" FROM "Artifact" WHERE sha256 = $1 AND kind = 'stored_file'
     UNION ALL SELECT slug || '.tar' FROM "Dataset" WHERE sha256 = $1 LIMIT 1`,
    [sha256],
  );
  const stat = known.rowCount ? await store.stat(sha256) : null;
  if (!stat) throw new SlimboardError('not_found', `no stored model with sha256 ${sha256}`, { status: 404 });
  const fileName = String(known.rows[0].fileName ?? '') || `${sha256}.onnx`;
  const etag = `"${sha256}"`;
  const base: Record<string, string> = {
    'content-type': 'application/octet-stream',
    'content-disposition': contentDisposition(fileName),
    etag,
    'accept-ranges': 'bytes',
    'cache-control': 'public, max-age=31536000, immutable',
  };
  const inm = req.headers.get('if-none-match');
  if (
    inm &&
    inm
      .split(',')
      .map((s) => s.trim().replace(/^W\//, ''))
      .includes(etag)
  )
    return new Response(null, { status: 304, headers: base });
  const ifRange = req.headers.get('if-range');
  const range = ifRange && ifRange !== etag ? null : parseRangeHeader(req.headers.get('range'), stat.sizeBytes);
  if (range === 'unsatisfiable') {
    return new Response(null, { status: 416, headers: { ...base, 'content-range': `bytes */${stat.sizeBytes}` } });
  }
  const head = req.method === 'HEAD';
  if (range) {
    const length = range.end - range.start + 1;
    const body = head ? null : (Readable.toWeb(store.openRead(sha256, range)) as ReadableStream<Uint8Array>);
    const contentRange = `bytes ${range.start}-${range.end}/${stat.sizeBytes}`;
    return new Response(body, { status: 206, headers: { ...base, ...lengthHeaders(length), 'content-range': contentRange } });
  }
  const body = head ? null : (Readable.toWeb(store.openRead(sha256)) as ReadableStream<Uint8Array>);
  return new Response(body, { status: 200, headers: { ...base, ...lengthHeaders(stat.sizeBytes) } });
}

/** Content-Length, and its copy that survives Next.js (lib/http/content-length.ts); HEAD answers carry both too. */
function lengthHeaders(sizeBytes: number): Record<string, string> {
  return { 'content-length': String(sizeBytes), [CONTENT_LENGTH_HEADER]: String(sizeBytes) };
}

/**
 * `attachment; filename="<ASCII fallback>"` plus `filename*=UTF-8''<percent-encoded name>` when the name is not
 * plain ASCII (RFC 6266 / RFC 8187): browsers save `模型-ü.onnx` under its own name, old clients get `__-_.onnx`.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^A-Za-z0-9._ +()-]/g, '_');
  if (ascii === fileName) return `attachment; filename="${ascii}"`;
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
