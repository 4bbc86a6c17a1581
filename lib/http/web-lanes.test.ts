import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { freeLocalPort } from './free-local-port';
import { forwardableHeaders, startLaneProxy, WEB_LANES, webLaneOf, type LaneProxy, type WebLane } from './web-lanes';

describe('webLaneOf', () => {
  it('sends the zoo-wide views to browse, with their query strings, RSC requests and a trailing slash', () => {
    for (const t of [
      '/',
      '/zoo',
      '/zoo?page=2&section=coco',
      '/explorer?dataset=coco',
      '/compare?models=a,b',
      '/api/zoo?limit=100&dataset=coco',
      '/api/zoo?cursor=abc&formats=csv',
      '/zoo?format=csv',
      '/zoo/',
      '/?_rsc=1',
    ])
      expect(webLaneOf(t), t).toBe('browse');
  });

  it('sends the exports (/api/zoo with a format, whatever its value) to export', () => {
    for (const t of [
      '/api/zoo?format=csv',
      '/api/zoo?dataset=coco&format=json',
      '/api/zoo/?format=csv',
      '/api/zoo?%66ormat=x',
      '/api/zoo?format',
    ])
      expect(webLaneOf(t), t).toBe('export');
    expect(webLaneOf('/api/zoo#?format=csv')).toBe('browse');
  });

  it('sends jobs, model pages, runs, uploads, downloads and assets to interactive', () => {
    for (const t of [
      '/api/jobs',
      '/jobs',
      '/models/yolov3-r50?x=1',
      '/api/runs/5/rerun',
      '/api/artifacts/ab',
      '/upload',
      '/_next/static/chunks/a.js',
      '/zoo2',
      '/zoo/x',
      '/api/zoo/x',
      '',
      '%ff',
    ])
      expect(webLaneOf(t), t).toBe('interactive');
  });

  it('gives the same lane whatever query without a format follows a path, and export for /api/zoo with one (property)', () => {
    const param = fc.tuple(fc.string(), fc.string()).filter(([k]) => k !== 'format');
    fc.assert(
      fc.property(
        fc.constantFrom('/', '/zoo', '/jobs', '/models/a', '/api/zoo'),
        fc.array(param),
        fc.boolean(),
        (p, params, withFormat) => {
          const query = new URLSearchParams(params);
          expect(webLaneOf(`${p}?${query}`)).toBe(webLaneOf(p));
          if (withFormat) query.append('format', 'csv');
          expect(webLaneOf(`${p}?${query}`)).toBe(p === '/api/zoo' && withFormat ? 'export' : webLaneOf(p));
        },
      ),
    );
  });
});

describe('forwardableHeaders', () => {
  it('drops hop-by-hop headers and those the Connection header names, keeps repeats and case', () => {
    const raw = [
      'Host',
      'a',
      'Connection',
      'keep-alive, X-Private',
      'Keep-Alive',
      'timeout=5',
      'X-Private',
      '1',
      'Set-Cookie',
      'a=1',
      'Set-Cookie',
      'b=2',
      'Transfer-Encoding',
      'chunked',
    ];
    expect(forwardableHeaders(raw)).toEqual(['Host', 'a', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
  });

  it('passes an empty list and a list without hop-by-hop headers unchanged', () => {
    expect(forwardableHeaders([])).toEqual([]);
    expect(forwardableHeaders(['content-length', '12', 'x-a', 'b'])).toEqual(['content-length', '12', 'x-a', 'b']);
  });
});

type Seen = { lane: WebLane; method: string; url: string; host: string; forwardedFor: string; body: string; aborted: boolean };

describe('startLaneProxy with three real lane servers', () => {
  const seen: Seen[] = [];
  const lanes: http.Server[] = [];
  let proxy: LaneProxy;
  let base = '';
  let deadPort = 0;

  beforeAll(async () => {
    const ports = {} as Record<WebLane, number>;
    for (const lane of WEB_LANES) {
      const server = http.createServer((req, res) => {
        const entry: Seen = {
          lane,
          method: req.method ?? '',
          url: req.url ?? '',
          host: req.headers.host ?? '',
          forwardedFor: String(req.headers['x-forwarded-for'] ?? ''),
          body: '',
          aborted: false,
        };
        seen.push(entry);
        req.on('data', (c: Buffer) => (entry.body += c.toString()));
        res.on('close', () => (entry.aborted = !res.writableFinished));
        req.on('end', () => {
          if (req.url === '/api/zoo?format=csv&cut=1') {
            // An export whose stream failed after its first batch: Next.js destroys the response (no last chunk).
            res.writeHead(200, { 'content-type': 'text/csv' });
            res.write('model,boxAp\r\nfirst,33.1\r\n', () => res.destroy());
            return;
          }
          if (req.url === '/api/artifacts/slow') {
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.write('first part;'); // and never ends until the client goes away
            return;
          }
          const body = `${lane}:${req.method}:${req.url}:${entry.body}`;
          res.setHeader('set-cookie', ['a=1', 'b=2']);
          res.writeHead(201, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
          res.end(req.method === 'HEAD' ? undefined : body);
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      ports[lane] = (server.address() as AddressInfo).port;
      lanes.push(server);
    }
    proxy = await startLaneProxy({ port: 0, host: '127.0.0.1', lanes: ports });
    base = `http://127.0.0.1:${proxy.port}`;
    deadPort = await freeLocalPort();
  });

  afterAll(async () => {
    await proxy.close();
    for (const s of lanes) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('routes by path and passes status, body, Content-Length and repeated headers back', async () => {
    const zoo = await fetch(`${base}/zoo?page=2`);
    expect(zoo.status).toBe(201);
    expect(await zoo.text()).toBe('browse:GET:/zoo?page=2:');
    expect(zoo.headers.get('content-length')).toBe(String('browse:GET:/zoo?page=2:'.length));
    expect(zoo.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    const jobs = await fetch(`${base}/api/jobs?limit=5`);
    expect(await jobs.text()).toBe('interactive:GET:/api/jobs?limit=5:');
    const csv = await fetch(`${base}/api/zoo?dataset=coco&format=csv`);
    expect(await csv.text()).toBe('export:GET:/api/zoo?dataset=coco&format=csv:');
  });

  it('answers HEAD with the lane’s Content-Length and no body', async () => {
    const head = await fetch(`${base}/api/artifacts/abc`, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String('interactive:HEAD:/api/artifacts/abc:'.length));
    expect(await head.text()).toBe('');
  });

  it('keeps the Host header, adds X-Forwarded-For and streams a request body through', async () => {
    const body = 'x'.repeat(200_000);
    const res = await fetch(`${base}/api/runs`, { method: 'POST', body });
    expect(await res.text()).toBe(`interactive:POST:/api/runs:${body}`);
    const entry = seen.find((s) => s.url === '/api/runs')!;
    expect(entry.host).toBe(`127.0.0.1:${proxy.port}`);
    expect(entry.forwardedFor).toMatch(/127\.0\.0\.1/);
  });

  it('aborts the lane’s request when the client goes away', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/api/artifacts/slow`, { signal: controller.signal });
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first part;');
    controller.abort();
    await expect.poll(() => seen.find((s) => s.url === '/api/artifacts/slow')?.aborted, { timeout: 5_000 }).toBe(true);
  });

  it('cuts the client’s answer off, not ends it, when the lane’s answer is cut off (an export that failed midway)', async () => {
    const res = await fetch(`${base}/api/zoo?format=csv&cut=1`);
    expect(res.status).toBe(200);
    // The rows already sent arrive, then the body errors: a client cannot take the partial file for a whole one.
    await expect(res.text()).rejects.toThrow();
  });

  it('answers 503 with Retry-After and the lane’s name when a lane does not answer', async () => {
    const lonely = await startLaneProxy({
      port: 0,
      host: '127.0.0.1',
      lanes: { browse: deadPort, export: deadPort, interactive: deadPort },
      retryAfterSeconds: 3,
    });
    try {
      const res = await fetch(`http://127.0.0.1:${lonely.port}/zoo`);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('3');
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('web_lane_unavailable');
      expect(body.error.message).toMatch(/the browse web server did not answer \(ECONNREFUSED\)/);
    } finally {
      await lonely.close();
    }
  });
});
