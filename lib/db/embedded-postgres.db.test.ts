import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { EMBEDDED_PASSWORD, EMBEDDED_USER } from './embedded-postgres';

/**
 * The embedded server's lifecycle across real processes: the first process starts it, a second one
 * connects to the running server, the starter leaving does not cut the second off, the last one to
 * leave stops it. Own port and data directory.
 */

const root = path.resolve(import.meta.dirname, '..', '..');
const dataDir = path.join(root, '.slimboard', 'test', `lifecycle-${process.pid}`, 'pg');
// Per-process port in 54450-54494 so concurrent test runs (several checkouts) do not share it.
const PORT = 54450 + (process.pid % 45);
const probes: ChildProcessWithoutNullStreams[] = [];

function startProbe(): { child: ChildProcessWithoutNullStreams; next: () => Promise<Record<string, unknown>> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'tests', 'setup', 'embedded-postgres-probe.ts'), dataDir, String(PORT)], { cwd: root });
  probes.push(child);
  const lines: string[] = [];
  const waiters: Array<(l: string) => void> = [];
  let buf = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout.on('data', (c: Buffer) => {
    buf += c.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const l = lines.shift();
      if (l) return resolve(JSON.parse(l));
      const timer = setTimeout(() => reject(new Error(`probe timed out; stderr: ${err}`)), 90_000);
      waiters.push((line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line));
      });
      child.once('exit', (code) => code !== 0 && reject(new Error(`probe exited ${code}: ${err}`)));
    });
  return { child, next };
}

async function serverUp(): Promise<boolean> {
  const c = new pg.Client({ host: '127.0.0.1', port: PORT, user: EMBEDDED_USER, password: EMBEDDED_PASSWORD, database: 'postgres', connectionTimeoutMillis: 2000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

afterAll(async () => {
  for (const p of probes) if (p.exitCode === null) p.kill('SIGKILL');
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 100 && fs.existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
  }
  fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
});

describe('embedded PostgreSQL shared by processes', () => {
  it('first process initialises and starts it; a second connects; the last to leave stops it', async () => {
    expect(await serverUp()).toBe(false);
    const a = startProbe();
    const aReady = await a.next();
    expect(aReady).toMatchObject({ event: 'ready', owned: true });
    expect(aReady.initMs as number).toBeGreaterThan(0); // a fresh data directory was initialised
    console.log(`[lifecycle] first init ${(aReady.initMs as number).toFixed(0)} ms, start ${(aReady.startMs as number).toFixed(0)} ms`);
    expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);

    const b = startProbe();
    expect(await b.next()).toMatchObject({ event: 'ready', owned: false });

    // The starter leaves while B is connected: the server stays up for B.
    a.child.stdin.write('release\n');
    expect(await a.next()).toMatchObject({ event: 'released' });
    expect(await serverUp()).toBe(true);

    // B leaves last: the server stops.
    b.child.stdin.write('release\n');
    expect(await b.next()).toMatchObject({ event: 'released' });
    expect(await serverUp()).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);

    // A later process starts it again from the existing data directory (no initdb).
    const c = startProbe();
    const cReady = await c.next();
    expect(cReady).toMatchObject({ event: 'ready', owned: true, initMs: 0 });
    console.log(`[lifecycle] restart ${(cReady.startMs as number).toFixed(0)} ms`);
    c.child.stdin.write('release\n');
    expect(await c.next()).toMatchObject({ event: 'released' });
    expect(await serverUp()).toBe(false);
  });
});
