import { afterEach, describe, expect, it, vi } from 'vitest';
import { WEB_MALLOC_ARENA_MAX, webServerEnv } from './start';

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
});
