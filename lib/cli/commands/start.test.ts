import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextBuildId, WARM_PATHS, warmZooViews, WEB_MALLOC_ARENA_MAX, webServerEnv } from './start';

/** The environment `start` gives each `next start` process (its lanes, or the single web process). */
afterEach(() => vi.unstubAllEnvs());

describe('webServerEnv', () => {
  it('the database, port and production mode; malloc arenas capped at 2; telemetry off', () => {
    vi.stubEnv('MALLOC_ARENA_MAX', undefined);
    const env = webServerEnv('postgresql://db/x', 4321);
    expect(env).toMatchObject({
      DATABASE_URL: 'postgresql://db/x',
      PORT: '4321',
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      MALLOC_ARENA_MAX: '2',
    });
    expect(WEB_MALLOC_ARENA_MAX).toBe('2');
  });

  it("an operator's own MALLOC_ARENA_MAX is kept; the database and port are always start's", () => {
    vi.stubEnv('MALLOC_ARENA_MAX', '8');
    vi.stubEnv('PORT', '9999');
    const env = webServerEnv('postgresql://db/y', 1234);
    expect([env.MALLOC_ARENA_MAX, env.PORT, env.DATABASE_URL]).toEqual(['8', '1234', 'postgresql://db/y']);
  });

  it("the build's id as SLIMBOARD_BUILD_ID (the zoo views kept across restarts are that build's), when there is one", () => {
    vi.stubEnv('SLIMBOARD_BUILD_ID', 'from-the-environment');
    expect(webServerEnv('postgresql://db/z', 1, 'abc123').SLIMBOARD_BUILD_ID).toBe('abc123');
    expect(webServerEnv('postgresql://db/z', 1).SLIMBOARD_BUILD_ID).toBe('from-the-environment');
  });
});

describe('nextBuildId', () => {
  it('reads <root>/.next/BUILD_ID; none (no build yet, or an empty file) is undefined', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'slimboard-build-id-'));
    try {
      expect(nextBuildId(root)).toBeUndefined();
      fs.mkdirSync(path.join(root, '.next'));
      fs.writeFileSync(path.join(root, '.next', 'BUILD_ID'), '');
      expect(nextBuildId(root)).toBeUndefined();
      fs.writeFileSync(path.join(root, '.next', 'BUILD_ID'), 'Xy_9-build\n');
      expect(nextBuildId(root)).toBe('Xy_9-build');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('warmZooViews', () => {
  /** A local HTTP server: `/hang` never answers, `/broken` answers 500, anything else 200 with a body. */
  async function pageServer() {
    const requested: string[] = [];
    const server = http.createServer((req, res) => {
      requested.push(req.url ?? '');
      if (req.url === '/hang') return;
      res.statusCode = req.url === '/broken' ? 500 : 200;
      res.end('x'.repeat(100_000));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    return {
      base: `http://127.0.0.1:${port}`,
      requested,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  it('reads each page once, in order, and logs how each went; a failed page does not stop the rest', async () => {
    const s = await pageServer();
    const lines: string[] = [];
    try {
      await warmZooViews(s.base, (l) => lines.push(l), { paths: ['/', '/broken', '/explorer'] });
    } finally {
      await s.close();
    }
    expect(s.requested).toEqual(['/', '/broken', '/explorer']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^web: read the zoo views once: \/ \d+ ms, \/broken HTTP 500 after \d+ ms, \/explorer \d+ ms$/);
    expect(WARM_PATHS).toEqual(['/', '/zoo', '/explorer']);
  });

  it('a server that is gone is logged per page, never thrown', async () => {
    const s = await pageServer();
    await s.close();
    const lines: string[] = [];
    await warmZooViews(s.base, (l) => lines.push(l), { paths: ['/', '/zoo'] });
    expect(lines[0]).toMatch(/^web: read the zoo views once: \/ failed \(.+\), \/zoo failed \(.+\)$/);
  });

  it('the stop ends it: a page still loading is abandoned, the rest are not read, nothing is logged', async () => {
    const s = await pageServer();
    const lines: string[] = [];
    const stop = new AbortController();
    try {
      const warming = warmZooViews(s.base, (l) => lines.push(l), { paths: ['/', '/hang', '/zoo'], signal: stop.signal });
      await vi.waitFor(() => expect(s.requested).toEqual(['/', '/hang']));
      stop.abort();
      await warming;
    } finally {
      s.close();
    }
    expect(s.requested).toEqual(['/', '/hang']);
    expect(lines).toEqual([]);
  });
});
