import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextBuildId, WEB_MALLOC_ARENA_MAX, webServerEnv } from './start';

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
