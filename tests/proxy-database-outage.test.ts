import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetEnvForTests } from '@/lib/env';
import { freeLocalPort } from '@/lib/http/free-local-port';
import { proxy } from '@/proxy';

/**
 * proxy.ts during a database outage: pages answer 503 with Retry-After (a page cannot set its status from a server
 * component); API routes are left to their own 503 (lib/http/error-response.ts). DATABASE_URL points at a port
 * that was just closed, as a stopped PostgreSQL's would be.
 */

let saved: string | undefined;

beforeAll(async () => {
  const port = await freeLocalPort();
  saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = `postgresql://nobody:x@127.0.0.1:${port}/none`;
  resetEnvForTests();
});
afterAll(() => {
  if (saved === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = saved;
  resetEnvForTests();
});

describe('proxy.ts with the database down', () => {
  it('EXPECTED FAILURE: every page answers 503 with Retry-After and a page that reloads itself', async () => {
    for (const p of ['/', '/zoo', '/explorer', '/compare', '/jobs', '/upload', '/models/some-model']) {
      const res = await proxy(new NextRequest(`http://127.0.0.1:3000${p}`));
      expect(res.status, p).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
      const html = await res.text();
      expect(html).toContain('503: the database is not reachable right now');
      expect(html).toMatch(/<meta http-equiv="refresh" content="[1-9][0-9]*">/);
    }
  });

  it('API routes pass through (they answer 503 themselves); a malformed path is still 400 first', async () => {
    const api = await proxy(new NextRequest('http://127.0.0.1:3000/api/jobs'));
    expect(api.status).toBe(200);
    expect(api.headers.get('x-middleware-next')).toBe('1');
    expect((await proxy(new NextRequest('http://127.0.0.1:3000/models/%ff'))).status).toBe(400);
  });
});
