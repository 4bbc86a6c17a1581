import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The embedded PostgreSQL dies under a running `npm start` (SIGKILL to the postmaster, as the OOM killer would):
 * the API and the pages answer 503 with Retry-After, `start` restarts the server and logs it, and both answer
 * 200 again; Ctrl-C then stops everything, the restarted server included. The app was built by
 * tests/setup/app.ts, so `--no-build`; `--no-demo` keeps the worker idle.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const PORT = 3188;
const PG_PORT = 54497;

function postmasterPid(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return undefined;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

async function statusOf(p: string): Promise<{ status: number; retryAfter: string | null }> {
  try {
    const res = await fetch(`http://127.0.0.1:${PORT}${p}`, { signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return { status: res.status, retryAfter: res.headers.get('retry-after') };
  } catch {
    return { status: 0, retryAfter: null };
  }
}

describe('npm start during a database outage', () => {
  it('SIGKILL to the embedded PostgreSQL: 503 + Retry-After on the API and the pages, restarted by start, then 200', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slimboard-outage-'));
    fs.chmodSync(dataDir, 0o755); // the embedded server runs as user postgres when we are root
    const { DATABASE_URL: _external, ...env } = process.env;
    const child = spawn('npm', ['start', '--', '--no-build', '--no-demo', '--port', String(PORT)], {
      cwd: ROOT,
      env: { ...env, SLIMBOARD_DATA_DIR: dataDir, SLIMBOARD_PG_PORT: String(PG_PORT), NEXT_TELEMETRY_DISABLED: '1' },
      detached: true, // its own process group, like a terminal session
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await expect
        .poll(() => log, { timeout: 180_000, interval: 500 })
        .toMatch(/Slimboard is running at http:\/\/localhost:3188|^(internal )?error: /m)
        .catch((e: Error) => Promise.reject(new Error(`${e.message}\n--- start's output ---\n${log}`)));
      expect(log, log).toMatch(/Slimboard is running at http:\/\/localhost:3188/);
      expect((await statusOf('/api/jobs')).status, log).toBe(200);
      expect((await statusOf('/zoo')).status, log).toBe(200);

      const before = postmasterPid(dataDir)!;
      expect(before, log).toBeGreaterThan(0);
      process.kill(before, 'SIGKILL');

      // The restart takes seconds (crash recovery): both doors answer 503 with Retry-After meanwhile.
      const seen = { api: false, page: false };
      const t0 = Date.now();
      while (!(seen.api && seen.page) && Date.now() - t0 < 30_000) {
        const [api, page] = await Promise.all([statusOf('/api/jobs'), statusOf('/jobs')]);
        if (api.status === 503 && api.retryAfter) seen.api = true;
        if (page.status === 503 && page.retryAfter) seen.page = true;
        if (api.status === 200 && page.status === 200 && postmasterPid(dataDir)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen, log).toEqual({ api: true, page: true });

      await expect.poll(async () => (await statusOf('/api/jobs')).status, { timeout: 90_000, interval: 500 }).toBe(200);
      await expect.poll(async () => (await statusOf('/zoo')).status, { timeout: 30_000, interval: 500 }).toBe(200);
      expect(log).toMatch(/embedded PostgreSQL on port 54497 is gone: restarting/);
      expect(log).toMatch(/embedded PostgreSQL restarted on port 54497 in \d+ ms/);
      const after = postmasterPid(dataDir);
      expect(after).toBeGreaterThan(0);
      expect(after).not.toBe(before);

      process.kill(-child.pid!, 'SIGINT');
      await exited;
      expect(log, log).toMatch(/stopped embedded PostgreSQL/);
      expect(postmasterPid(dataDir), log).toBeUndefined();
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // the group is already gone
        }
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
