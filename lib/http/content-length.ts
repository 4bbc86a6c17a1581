import http from 'node:http';

/**
 * Next.js drops `Content-Length` from every route-handler Response (next/dist/server/send-response.js,
 * FORBIDDEN_HEADERS: it may have decoded the body), so downloads went out chunked and HEAD gave no size.
 * A handler that knows its exact body length also sets CONTENT_LENGTH_HEADER; the patch below, installed once
 * per server process by instrumentation.ts, turns it back into `Content-Length` when the headers are written.
 * It never applies to an encoded (compressed) or already-framed response, and always removes the private header.
 */
export const CONTENT_LENGTH_HEADER = 'x-slimboard-content-length';

/** The Content-Length to restore from the private header, or null (missing, malformed, or the body is re-encoded). */
export function contentLengthToRestore(headers: { get(name: string): string | number | string[] | undefined }): string | null {
  const raw = headers.get(CONTENT_LENGTH_HEADER);
  const value = Array.isArray(raw) ? raw[0] : raw === undefined ? undefined : String(raw);
  if (value === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(value)) return null;
  if (headers.get('content-encoding') !== undefined || headers.get('transfer-encoding') !== undefined) return null;
  if (headers.get('content-length') !== undefined) return null;
  return value;
}

const INSTALLED = Symbol.for('slimboard.contentLengthRestore');

export function installContentLengthRestore(): void {
  const proto = http.ServerResponse.prototype as http.ServerResponse & { [INSTALLED]?: true };
  if (proto[INSTALLED]) return;
  proto[INSTALLED] = true;
  const writeHead = proto.writeHead;
  proto.writeHead = function (this: http.ServerResponse, ...args: Parameters<typeof writeHead>) {
    if (this.hasHeader(CONTENT_LENGTH_HEADER)) {
      const value = contentLengthToRestore({ get: (name) => this.getHeader(name) });
      this.removeHeader(CONTENT_LENGTH_HEADER);
      if (value !== null) this.setHeader('content-length', value);
    }
    return writeHead.apply(this, args);
  } as typeof writeHead;
}
