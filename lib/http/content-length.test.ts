import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_LENGTH_HEADER, contentLengthToRestore, installContentLengthRestore } from './content-length';

function headers(h: Record<string, string>) {
  return { get: (name: string) => h[name] };
}

describe('contentLengthToRestore', () => {
  it('hand-checked cases', () => {
    expect(contentLengthToRestore(headers({ [CONTENT_LENGTH_HEADER]: '1234' }))).toBe('1234');
    expect(contentLengthToRestore(headers({ [CONTENT_LENGTH_HEADER]: '0' }))).toBe('0');
  });

  it('degenerate and refused cases: missing, malformed, encoded or already framed', () => {
    expect(contentLengthToRestore(headers({}))).toBeNull();
    for (const bad of ['', '-1', '01', '1e3', '12 ', 'NaN', '99999999999999999']) {
      expect(contentLengthToRestore(headers({ [CONTENT_LENGTH_HEADER]: bad }))).toBeNull();
    }
    expect(contentLengthToRestore(headers({ [CONTENT_LENGTH_HEADER]: '5', 'content-encoding': 'gzip' }))).toBeNull();
    expect(contentLengthToRestore(headers({ [CONTENT_LENGTH_HEADER]: '5', 'transfer-encoding': 'chunked' }))).toBeNull();
    expect(contentLengthToRestore(headers({ [CONTENT_LENGTH_HEADER]: '5', 'content-length': '5' }))).toBeNull();
  });
});

describe('installContentLengthRestore on a real HTTP server', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    installContentLengthRestore();
    installContentLengthRestore(); // idempotent
    server = http.createServer((req, res) => {
      // What Next.js does with a route handler's Response: headers copied one by one, body written in chunks.
      if (req.url !== '/plain') res.appendHeader(CONTENT_LENGTH_HEADER, '10');
      if (req.url === '/gzip') res.appendHeader('content-encoding', 'gzip');
      if (req.method === 'HEAD') return res.end();
      res.write('01234');
      res.end('56789');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('GET and HEAD carry Content-Length, not chunked, and the private header is gone', async () => {
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(`${url}/download`, { method });
      expect(res.headers.get('content-length'), method).toBe('10');
      expect(res.headers.get('transfer-encoding')).toBeNull();
      expect(res.headers.get(CONTENT_LENGTH_HEADER)).toBeNull();
      expect(await res.text()).toBe(method === 'GET' ? '0123456789' : '');
    }
  });

  it('responses without the private header are untouched (chunked)', async () => {
    const res = await fetch(`${url}/plain`);
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
  });

  it('an encoded body keeps its own framing', async () => {
    // Plain http.get: fetch would try to gunzip the fake body; only the headers matter here.
    const raw = await new Promise<http.IncomingHttpHeaders>((resolve) => http.get(`${url}/gzip`, (r) => (r.resume(), resolve(r.headers))));
    expect(raw['content-length']).toBeUndefined();
    expect(raw[CONTENT_LENGTH_HEADER]).toBeUndefined();
  });
});
