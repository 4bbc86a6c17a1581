import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { freeLocalPort } from './free-local-port';
import { forwardableHeaders, startLaneProxy, waitsForBrowseSlot, WEB_LANES, webLaneOf, type LaneProxy, type WebLane } from './web-lanes';

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

describe('waitsForBrowseSlot', () => {
  it('gates the rendered zoo-wide views and their RSC requests, not the API pages, exports or other lanes', () => {
    for (const t of ['/', '/zoo', '/zoo/?page=2', '/explorer?dataset=coco', '/compare?models=a,b', '/?_rsc=1'])
      expect(waitsForBrowseSlot(t), t).toBe(true);
    for (const t of [
      '/api/zoo',
      '/api/zoo?limit=100&sort=gflops',
      '/api/zoo/?cursor=x',
      '/api/zoo?format=csv',
      '/api/jobs',
      '/models/a',
      '%ff',
      '',
    ])
      expect(waitsForBrowseSlot(t), t).toBe(false);
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

describe('startLaneProxy: admission to the browse lane', () => {
  type Held = { url: string; res: http.ServerResponse };
  let arrived: Held[] = [];
  let lane: http.Server;
  let ports: Record<WebLane, number>;

  beforeAll(async () => {
    // Every lane is this one server; it holds each request until the test ends it.
    lane = http.createServer((req, res) => arrived.push({ url: req.url ?? '', res }));
    await new Promise<void>((r) => lane.listen(0, '127.0.0.1', () => r()));
    const port = (lane.address() as AddressInfo).port;
    ports = { browse: port, export: port, interactive: port };
  });

  afterAll(async () => {
    lane.closeAllConnections();
    await new Promise((r) => lane.close(r));
  });

  /** A GET whose answer resolves with status, Retry-After and body; `abort()` drops the client's connection. */
  function get(proxy: LaneProxy, target: string) {
    const req = http.get({ host: '127.0.0.1', port: proxy.port, path: target, agent: false });
    const answer = new Promise<{ status: number; retryAfter?: string; body: string }>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
      });
    });
    answer.catch(() => {});
    return { answer, abort: () => req.destroy() };
  }
  const end = (url: string) => {
    const held = arrived.find((h) => h.url === url)!;
    held.res.end(`done ${url}`);
  };
  const settle = () => new Promise((r) => setTimeout(r, 150));

  it('lets two browse requests in at once, queues two in order, refuses a fifth with 503 web_busy, drops a waiter that left', async () => {
    arrived = [];
    const proxy = await startLaneProxy({
      port: 0,
      host: '127.0.0.1',
      lanes: ports,
      browseConcurrency: 2,
      browseMaxWaiting: 2,
      retryAfterSeconds: 4,
    });
    try {
      const zoo = [0, 1, 2, 3].map((i) => get(proxy, `/zoo?i=${i}`));
      await expect.poll(() => arrived.length).toBe(2);
      await settle();
      expect(arrived.map((h) => h.url)).toEqual(['/zoo?i=0', '/zoo?i=1']);

      const refused = await get(proxy, '/explorer?i=4').answer;
      expect([refused.status, refused.retryAfter]).toEqual([503, '4']);
      expect(JSON.parse(refused.body).error).toMatchObject({
        code: 'web_busy',
        message: expect.stringMatching(/2 zoo views and 2 more are waiting/),
      });

      // Other lanes and the browse lane's API pages are not gated: they go straight through.
      for (const target of ['/api/jobs', '/api/zoo?limit=100']) {
        const other = get(proxy, target);
        await expect.poll(() => arrived.map((h) => h.url)).toContain(target);
        end(target);
        expect((await other.answer).body).toBe(`done ${target}`);
      }

      // The first waiter leaves; when a slot frees, the second waiter gets it and the first never reaches the lane.
      zoo[2].abort();
      await settle();
      end('/zoo?i=0');
      expect((await zoo[0].answer).body).toBe('done /zoo?i=0');
      await expect.poll(() => arrived.map((h) => h.url)).toContain('/zoo?i=3');
      end('/zoo?i=1');
      end('/zoo?i=3');
      expect((await zoo[3].answer).body).toBe('done /zoo?i=3');
      await settle();
      expect(arrived.map((h) => h.url).filter((u) => u.startsWith('/zoo'))).toEqual(['/zoo?i=0', '/zoo?i=1', '/zoo?i=3']);

      // With the queue drained, browse requests are let in again.
      const again = get(proxy, '/?i=5');
      await expect.poll(() => arrived.map((h) => h.url)).toContain('/?i=5');
      end('/?i=5');
      expect((await again.answer).status).toBe(200);
    } finally {
      await proxy.close();
    }
  });

  it('gives a slot back after the hold limit while a slow answer still streams, and counts nothing without a limit', async () => {
    arrived = [];
    const proxy = await startLaneProxy({ port: 0, host: '127.0.0.1', lanes: ports, browseConcurrency: 1, browseSlotHoldMs: 300 });
    try {
      const slow = get(proxy, '/zoo?slow');
      await expect.poll(() => arrived.length).toBe(1);
      arrived[0].res.write('part;'); // streams, never ends by itself
      const next = get(proxy, '/zoo?next');
      await settle();
      expect(arrived.map((h) => h.url)).toEqual(['/zoo?slow']);
      await expect.poll(() => arrived.map((h) => h.url), { timeout: 3_000 }).toEqual(['/zoo?slow', '/zoo?next']);
      end('/zoo?next');
      end('/zoo?slow');
      expect((await slow.answer).body).toBe('part;done /zoo?slow');
      expect((await next.answer).body).toBe('done /zoo?next');
    } finally {
      await proxy.close();
    }
    arrived = [];
    const open = await startLaneProxy({ port: 0, host: '127.0.0.1', lanes: ports });
    try {
      const many = Array.from({ length: 12 }, (_, i) => get(open, `/zoo?open=${i}`));
      await expect.poll(() => arrived.length).toBe(12);
      for (const h of arrived) h.res.end('ok');
      expect((await Promise.all(many.map((m) => m.answer))).every((a) => a.status === 200)).toBe(true);
    } finally {
      await open.close();
    }
  });
});
