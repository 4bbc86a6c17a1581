import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineApiRoute } from '../http/api-route';
import type { Pipeline } from '../jobs/pipeline';
import { runRoutes } from '../http/run-routes';
import { ensureEmbeddedPostgres, superviseEmbeddedPostgres } from './embedded-postgres';
import type { EmbeddedPostgresHandle, PostgresSupervisor } from './embedded-postgres';
import { probeDatabase } from './database-probe';
import { applyMigrations } from './migrations';

/**
 * The embedded PostgreSQL is killed (SIGKILL to the postmaster, as the OOM killer would) under its owner's
 * supervisor (what `start` runs): the run API answers 503 with Retry-After while it is down, the supervisor
 * restarts it and logs it, and the same route answers 200 again. The pages' probe (proxy.ts, lib/db/database-probe.ts)
 * says down and up at the same moments. Own data directory and port.
 */

const root = path.resolve(import.meta.dirname, '..', '..');
const dataDir = path.join(root, '.slimboard', 'test', `restart-${process.pid}`, 'pg');
// Per-process port in 54500-54544, away from the shared test server and the lifecycle test.
const PORT = 54500 + (process.pid % 45);

let handle: EmbeddedPostgresHandle;
let supervisor: PostgresSupervisor;
let pool: pg.Pool;
const logged: string[] = [];

beforeAll(async () => {
  handle = await ensureEmbeddedPostgres({ dataDir, port: PORT });
  expect(handle.owned).toBe(true);
  const admin = new pg.Client({ connectionString: handle.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE restart_test');
  await admin.end();
  await applyMigrations(handle.url('restart_test'));
  pool = new pg.Pool({ connectionString: handle.url('restart_test'), max: 2, connectionTimeoutMillis: 3000 });
  pool.on('error', () => undefined);
  supervisor = superviseEmbeddedPostgres({ dataDir, port: PORT, intervalMs: 200, log: (l) => logged.push(l) });
}, 120_000);

afterAll(async () => {
  await supervisor?.stop();
  await pool?.end().catch(() => undefined);
  await handle?.release();
  fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
});

function postmasterPid(): number {
  return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a database outage under start', () => {
  it('SIGKILL to the postmaster: the API answers 503 + Retry-After, the supervisor restarts it, then 200', async () => {
    const api = runRoutes(defineApiRoute(async () => ({ pool }) as unknown as Pipeline), { uploadMaxBytes: () => 0 });
    const jobs = () => api.jobs(new Request('http://127.0.0.1:3200/api/jobs'), { params: Promise.resolve({}) });
    expect((await jobs()).status).toBe(200);
    const url = handle.url('restart_test');
    expect(await probeDatabase(url)).toEqual({ up: true });

    const before = postmasterPid();
    process.kill(before, 'SIGKILL');
    while (alive(before)) await new Promise((r) => setTimeout(r, 10));

    const down = await jobs();
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
    expect((await down.json()).error.code).toBe('database_unavailable');
    expect(await probeDatabase(url)).toMatchObject({ up: false });

    const t0 = performance.now();
    let status = 0;
    while (status !== 200 && performance.now() - t0 < 60_000) {
      status = (await jobs()).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    expect(await probeDatabase(url)).toEqual({ up: true });
    // The server accepts connections a moment before the supervisor has released its lock file and counted the
    // restart (CI once saw 200 with restarts still 0), so its bookkeeping gets a short deadline of its own.
    for (const until = performance.now() + 10_000; supervisor.restarts === 0 && performance.now() < until;) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(supervisor.restarts).toBe(1);
    expect(postmasterPid()).not.toBe(before);
    expect(fs.readFileSync(path.join(path.dirname(dataDir), 'pg.owner'), 'utf8')).toBe(String(process.pid));
    expect(logged.some((l) => /^embedded PostgreSQL on port \d+ is gone: restarting/.test(l))).toBe(true);
    expect(logged.some((l) => /^embedded PostgreSQL restarted on port \d+ in \d+ ms$/.test(l))).toBe(true);
    // Printed for the report: how long the API answered 503.
    const backMs = (performance.now() - t0).toFixed(0);
    process.stderr.write(`[postgres-restart] API back to 200 ${backMs} ms after the first 503; log: ${logged.join(' | ')}\n`);
  }, 120_000);

  it('stop() ends the watch: a server stopped on purpose stays stopped', async () => {
    await supervisor.stop();
    const pid = postmasterPid();
    process.kill(pid, 'SIGINT');
    while (alive(pid)) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 1000));
    expect(supervisor.restarts).toBe(1);
    expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
  }, 60_000);
});
