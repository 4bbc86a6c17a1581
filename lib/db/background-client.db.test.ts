import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { backgroundClientOf } from './background-client';
import { createBackgroundPrismaClient, getDatabaseUrl, getDb } from './client';

/**
 * The background twin's sessions (lib/db/background-client.ts) on the test server, which runs on this machine: each
 * backend at the niceness asked for, no parallel workers planned, the readers' sessions untouched.
 */

type Session = { pid: number; parallel: string; workMem: string };
const SESSION_SQL = `SELECT pg_backend_pid() AS pid, current_setting('max_parallel_workers_per_gather') AS parallel,
  current_setting('work_mem') AS "workMem"`;

describe('background client', () => {
  it('its backends run at the niceness asked for and plan no parallel workers; the readers keep theirs', async () => {
    const url = await getDatabaseUrl();
    const background = createBackgroundPrismaClient(url, 17, 2);
    try {
      const sessions = await Promise.all([0, 1].map(() => background.$queryRawUnsafe<Session[]>(SESSION_SQL).then((r) => r[0])));
      for (const s of sessions) {
        expect([os.getPriority(s.pid), s.parallel, s.workMem]).toEqual([17, '0', '32MB']);
      }
      const [reader] = await (await getDb()).$queryRawUnsafe<Session[]>(SESSION_SQL);
      expect(reader.parallel).not.toBe('0');
      expect(os.getPriority(reader.pid)).toBeLessThan(17);
    } finally {
      await background.$disconnect();
    }
  });

  it('without a niceness its backends keep the server priority (still no parallel workers)', async () => {
    const background = createBackgroundPrismaClient(await getDatabaseUrl(), undefined, 1);
    try {
      const [s] = await background.$queryRawUnsafe<Session[]>(SESSION_SQL);
      expect(s.parallel).toBe('0');
      expect(os.getPriority(s.pid)).toBeLessThan(17);
    } finally {
      await background.$disconnect();
    }
  });

  it("getDb's client has a background twin at SLIMBOARD_BACKGROUND_NICENESS (default 19), opened once", async () => {
    const db = await getDb();
    const twin = backgroundClientOf(db);
    expect(twin).not.toBe(db);
    expect(backgroundClientOf(db)).toBe(twin);
    const [s] = await twin.$queryRawUnsafe<Session[]>(SESSION_SQL);
    expect([os.getPriority(s.pid), s.parallel]).toEqual([19, '0']);
  });
});
