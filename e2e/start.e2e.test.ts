import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm start` as a person runs it, on a fresh embedded database of its own, then Ctrl-C: the terminal
 * sends SIGINT to the whole process group (npm, node, next, the worker). Everything must stop,
 * the embedded PostgreSQL included. The app was built by tests/setup/app.ts, so `--no-build`.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const PORT = 3187;
const PG_PORT = 54491;
const SINGLE_PORT = 3186;
const SINGLE_PG_PORT = 54496;

function postmasterRunning(dataDir: string): boolean {
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return false;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `npm start -- --no-build --port <port> ...args` in its own process group, on a fresh embedded database of its own. */
function startSlimboard(port: number, pgPort: number, args: string[]) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slimboard-start-'));
  fs.chmodSync(dataDir, 0o755); // the embedded server runs as user postgres when we are root
  const { DATABASE_URL: _external, ...env } = process.env;
  const child = spawn('npm', ['start', '--', '--no-build', '--port', String(port), ...args], {
    cwd: ROOT,
    env: { ...env, SLIMBOARD_DATA_DIR: dataDir, SLIMBOARD_PG_PORT: String(pgPort), NEXT_TELEMETRY_DISABLED: '1' },
    detached: true, // its own process group, like a terminal session
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { log: '' };
  child.stdout.on('data', (d) => (out.log += d));
  child.stderr.on('data', (d) => (out.log += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = async () => {
    await expect
      .poll(() => out.log, { timeout: 180_000, interval: 500 })
      .toMatch(new RegExp(`Slimboard is running at http://localhost:${port}|^(internal )?error: `, 'm'))
      .catch((e: Error) => Promise.reject(new Error(`${e.message}\n--- start's output ---\n${out.log}`)));
    expect(out.log, out.log).toContain(`Slimboard is running at http://localhost:${port}`);
  };
  const cleanUp = () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { child, out, exited, running, cleanUp, dataDir };
}

describe('npm start', () => {
  it('serves the zoo on a fresh embedded database and stops everything on Ctrl-C', async () => {
    const { child, out, exited, running, cleanUp, dataDir } = startSlimboard(PORT, PG_PORT, []);
    try {
      await running();
      const res = await fetch(`http://127.0.0.1:${PORT}/api/zoo?source=reported`);
      expect(res.status, out.log).toBe(200);
      expect(((await res.json()) as { count: number }).count).toBe(85);
      expect(postmasterRunning(dataDir)).toBe(true);
      // Three web processes behind the port (lib/http/web-lanes.ts): zoo-wide views, exports, and the rest.
      const lanes = /browse on 127\.0\.0\.1:(\d+) .*export on 127\.0\.0\.1:(\d+) .*interactive on 127\.0\.0\.1:(\d+)/.exec(out.log);
      expect(lanes, out.log).not.toBeNull();
      const jobs = await fetch(`http://127.0.0.1:${PORT}/api/jobs`);
      expect(jobs.status, out.log).toBe(200);
      // An export through the port equals the export lane's own answer (85 published rows and a header line),
      const csvVia = await (await fetch(`http://127.0.0.1:${PORT}/api/zoo?source=reported&format=csv`)).text();
      // (its links on the same origin: the port's, as the proxy's Host header gives it)
      const csvLane = await (
        await fetch(`http://127.0.0.1:${lanes![2]}/api/zoo?source=reported&format=csv`, {
          headers: { 'x-forwarded-host': `127.0.0.1:${PORT}` },
        })
      ).text();
      expect(csvVia.trimEnd().split('\r\n')).toHaveLength(86);
      expect(csvVia).toBe(csvLane);

      // The demo zoo is registered in the background: every manifest model at each evaluation size is a
      // row of the demo section (numbers fill in as the worker measures), and the zoo page shows the section.
      await expect.poll(() => out.log, { timeout: 120_000, interval: 500 }).toMatch(/demo zoo: \d+ model\(s\) registered/);
      expect(out.log).not.toMatch(/demo zoo: error/);
      const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'lib', 'demo-zoo', 'models', 'manifest.json'), 'utf8')) as {
        models: unknown[];
        adapter: { resize: { evalSizes: number[] } };
      };
      const demo = await fetch(`http://127.0.0.1:${PORT}/api/zoo?section=demo-shapes`);
      expect(((await demo.json()) as { count: number }).count).toBe(manifest.models.length * manifest.adapter.resize.evalSizes.length);
      const page = await (await fetch(`http://127.0.0.1:${PORT}/zoo?section=demo-shapes`)).text();
      expect(page).toContain('Demo (synthetic shapes)');
      expect(page).toContain('data-testid="demo-zoo-status"');
      // Once it answered, start read the zoo-wide views once (a new build computes them before its first visitor).
      await expect
        .poll(() => out.log, { timeout: 60_000, interval: 500 })
        .toMatch(/web: read the zoo views once: \/ \d+ ms, \/zoo \d+ ms, \/explorer \d+ ms$/m);

      // A lane that dies is started again on a new port, and the port serves its pages again.
      const browsePid = Number(/browse on 127\.0\.0\.1:\d+ \(pid (\d+)\)/.exec(out.log)![1]);
      process.kill(browsePid, 'SIGKILL');
      await expect
        .poll(() => out.log, { timeout: 120_000, interval: 500 })
        .toMatch(/web: the browse lane answers again on 127\.0\.0\.1:\d+ \(pid \d+\)/);
      expect(out.log).toContain('web: the browse lane exited (SIGKILL); starting it again');
      const restarted = /web: the browse lane answers again on 127\.0\.0\.1:(\d+)/.exec(out.log)![1];
      const zoo = await fetch(`http://127.0.0.1:${PORT}/zoo`);
      expect(zoo.status, out.log).toBe(200);
      expect(await zoo.text()).toContain('data-testid="zoo-version');

      process.kill(-child.pid!, 'SIGINT');
      await exited;
      expect(out.log, out.log).toMatch(/stopped embedded PostgreSQL/);
      expect(postmasterRunning(dataDir), out.log).toBe(false);
      for (const lanePort of [...lanes!.slice(1), restarted])
        await expect(
          fetch(`http://127.0.0.1:${lanePort}/api/jobs`, { signal: AbortSignal.timeout(2000) }),
          `lane :${lanePort}`,
        ).rejects.toThrow();
    } finally {
      cleanUp();
    }
  }, 240_000);

  it('--single-web: a web server that dies is started again on the same port; Ctrl-C stops the new one too', async () => {
    const { child, out, exited, running, cleanUp } = startSlimboard(SINGLE_PORT, SINGLE_PG_PORT, ['--no-demo', '--single-web']);
    try {
      await running();
      const first = /web: one server process on port \d+ \(pid (\d+)\)/.exec(out.log);
      expect(first, out.log).not.toBeNull();
      process.kill(Number(first![1]), 'SIGKILL');
      await expect
        .poll(() => out.log, { timeout: 120_000, interval: 500 })
        .toMatch(/web: the web server answers again on port \d+ \(pid \d+\)|stopping/);
      expect(out.log).toContain('web: the web server exited (SIGKILL); starting it again');
      const again = /web: the web server answers again on port 3186 \(pid (\d+)\)/.exec(out.log);
      expect(again, out.log).not.toBeNull();
      expect(again![1]).not.toBe(first![1]);
      const res = await fetch(`http://127.0.0.1:${SINGLE_PORT}/api/zoo?source=reported`);
      expect(res.status, out.log).toBe(200);
      expect(((await res.json()) as { count: number }).count).toBe(85);

      process.kill(-child.pid!, 'SIGINT');
      await exited;
      expect(out.log).toMatch(/stopped embedded PostgreSQL/);
      // The restarted server is gone with the rest.
      expect(() => process.kill(Number(again![1]), 0)).toThrow();
    } finally {
      cleanUp();
    }
  }, 240_000);
});
