import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getEnv } from '../../env';
import { SlimboardError } from '../../errors';
import { freeLocalPort } from '../../http/free-local-port';
import { startLaneProxy, WEB_LANES, type LaneProxy, type WebLane } from '../../http/web-lanes';
import { parseCliArgs } from '../args';
import { RestartBudget } from '../restart-budget';
import { superviseWeb, type WebSupervision } from '../web-supervisor';
import type { CliCommand, CliIo } from '../command';

/**
 * `slimboard start` (= `npm start`): database (embedded unless DATABASE_URL), migrations, seed import,
 * `next build` when the build is missing or older than the sources, then the web app on PORT: three `next start`
 * processes behind a front proxy (lib/http/web-lanes.ts), or one with `--single-web`.
 * Ctrl-C (SIGINT) or SIGTERM stops the web server first, then the embedded PostgreSQL. While it runs, `start`
 * restarts the embedded PostgreSQL when it dies (lib/db/embedded-postgres.ts superviseEmbeddedPostgres; the API
 * and the pages answer 503 with Retry-After meanwhile).
 * One measuring worker (workers/main.ts) runs beside the web server, stopped the same way (SIGTERM).
 * Once the web app answers, `start` reads the zoo-wide views once (warmZooViews), so that a new build computes them
 * before its first visitor does.
 * The shipped demo zoo (lib/demo-zoo/models) is registered in the background meanwhile (idempotent; never
 * blocks or stops the start: a refused manifest or file is one logged line and shown on the zoo page).
 */

const SOURCE_ROOTS = ['app', 'lib', 'public', 'prisma/schema.prisma', 'next.config.js', 'package-lock.json', 'tsconfig.json', 'proxy.ts'];
const SKIP_DIRS = new Set(['node_modules', '.next', '__fixtures__', '.slimboard', 'test-results']);

function newestMtimeMs(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const d of fs.readdirSync(p, { withFileTypes: true })) {
    if (SKIP_DIRS.has(d.name)) continue;
    newest = Math.max(newest, newestMtimeMs(path.join(p, d.name)));
  }
  return newest;
}

/** True when `.next` holds a production build newer than every source file. */
export function hasCurrentBuild(root = process.cwd()): boolean {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!fs.existsSync(buildId)) return false;
  const builtAt = fs.statSync(buildId).mtimeMs;
  return SOURCE_ROOTS.every((r) => newestMtimeMs(path.join(root, r)) <= builtAt);
}

const nextBin = (root: string) => path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');

function childEnv(extra: Record<string, string>, defaults: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...defaults, ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...extra };
}

/**
 * glibc's malloc arenas for a web process, unless the environment sets MALLOC_ARENA_MAX itself. With the default
 * (8 per core) memory freed after a burst stays scattered over many arenas. Paired load runs (docs/scale.md,
 * "Memory after a burst"): the server kept +88 to +91 MiB 60 s after 20 clients on /zoo with 2, against +135 to
 * +136 MiB without, at the same throughput.
 */
export const WEB_MALLOC_ARENA_MAX = '2';

/** The environment of a `next start` process (exported for its unit test). */
export function webServerEnv(databaseUrl: string, port: number, buildId?: string): NodeJS.ProcessEnv {
  return childEnv(
    { DATABASE_URL: databaseUrl, NODE_ENV: 'production', PORT: String(port), ...(buildId ? { SLIMBOARD_BUILD_ID: buildId } : {}) },
    { MALLOC_ARENA_MAX: WEB_MALLOC_ARENA_MAX },
  );
}

/** The id of the build in `<root>/.next` (SLIMBOARD_BUILD_ID of its servers), or undefined when there is none. */
export function nextBuildId(root: string): string | undefined {
  try {
    return fs.readFileSync(path.join(root, '.next', 'BUILD_ID'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Run `next build` unless the build is current. Serialised by a lock directory (`.next-build.lock`) so
 * that `npm start` and the e2e setup never build into the same `.next` at once. Returns build ms (0: none).
 */
export async function ensureNextBuild(log: (line: string) => void, root = process.cwd()): Promise<number> {
  const lock = path.join(root, '.next-build.lock');
  const deadline = Date.now() + 15 * 60_000;
  while (true) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(fs.existsSync(path.join(lock, 'pid')) ? fs.readFileSync(path.join(lock, 'pid'), 'utf8') : 0);
      let alive = false;
      try {
        if (holder) process.kill(holder, 0);
        alive = holder > 0;
      } catch {
        alive = false;
      }
      if (!alive) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new SlimboardError('build_locked', `another process (pid ${holder}) has been building for 15 minutes`, { status: 500 });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (hasCurrentBuild(root)) return 0;
    log('building the web app (next build)...');
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [nextBin(root), 'build'], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: childEnv({ NODE_ENV: 'production' }),
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0
          ? resolve()
          : reject(
              new SlimboardError('build_failed', `next build failed (exit ${code}):\n${output.trim().split('\n').slice(-30).join('\n')}`, {
                status: 500,
              }),
            ),
      );
    });
    const ms = performance.now() - t0;
    log(`built in ${(ms / 1000).toFixed(1)} s`);
    return ms;
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Poll until the server answers HTTP (any status) or the child dies. */
export async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new SlimboardError('server_exited', `the web server exited with code ${child.exitCode} during start`, { status: 500 });
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new SlimboardError('server_timeout', `the web server did not answer at ${url} within ${timeoutMs / 1000} s`, { status: 500 });
}

/** The pages `start` reads once the web app answers (warmZooViews): the slow zoo views' default URLs. */
export const WARM_PATHS: readonly string[] = ['/', '/zoo', '/explorer'];

/**
 * Read each of `paths` from `baseUrl` once, one after another, and log how long each took, so that the zoo-wide
 * views are computed (and kept: lib/zoo/zoo-view-snapshots.ts) by `start` rather than by the first visitor after a
 * deploy: at 100,000 runs a new build's first `/` takes 8 s. A page that answers from a stored value starts its
 * recomputation in the server when it is stale. Never throws: a failed read is logged and the next is tried;
 * `signal` (the stop) ends it.
 */
export async function warmZooViews(
  baseUrl: string,
  log: (line: string) => void,
  { paths = WARM_PATHS, signal }: { paths?: readonly string[]; signal?: AbortSignal } = {},
): Promise<void> {
  const took: string[] = [];
  for (const p of paths) {
    if (signal?.aborted) return;
    const t0 = performance.now();
    try {
      const res = await fetch(new URL(p, baseUrl), { signal });
      await res.arrayBuffer();
      const ms = (performance.now() - t0).toFixed(0);
      took.push(res.ok ? `${p} ${ms} ms` : `${p} HTTP ${res.status} after ${ms} ms`);
    } catch (e) {
      if (signal?.aborted) return;
      took.push(`${p} failed (${(e as Error).message})`);
    }
  }
  log(`web: read the zoo views once: ${took.join(', ')}`);
}

/**
 * V8 flags of the export lane's process (lib/http/web-lanes.ts; `next start` serves in the process it is started in).
 *
 * `--heap-growing-percent=25`: after each full collection, V8 lets the old generation grow to 1.25 times what
 * survived it before the next one; its default factor, tuned for throughput, lets it grow to several times that. A
 * streamed export of 300,000 rows holds about 40 MiB live but makes about 200 MiB of short-lived garbage that
 * outlives the young generation (each batch waits on the database). Alone in a process, one export grew RSS by 206
 * to 275 MiB with the default factor (issue #15's bar: 150 MB) and by 100 to 105 MiB with this flag, in 45 to 51 s
 * instead of 41 to 46 s; in the export lane, +45 MiB against +223 MiB once the route had served one export. The
 * same flag on the process that renders `/zoo` cost a quarter of its throughput under
 * load, so only the export lane has it (docs/scale.md, "Export memory in the server").
 */
export const EXPORT_LANE_V8_FLAGS: readonly string[] = ['--heap-growing-percent=25'];

export type WebServerOptions = {
  /** `inherit` (default): the server's output passes through; `pipe`: the caller reads it. */
  stdio?: 'inherit' | 'pipe';
  /** Where it listens (`-H`); all interfaces when left out. */
  host?: string;
  /** Node/V8 flags before Next's CLI (default none). */
  v8Flags?: readonly string[];
};

/** Start `next start` on `port` against `databaseUrl`. */
export function spawnWebServer(root: string, port: number, databaseUrl: string, options: WebServerOptions = {}): ChildProcess {
  const stdio = options.stdio ?? 'inherit';
  const args = [...(options.v8Flags ?? []), nextBin(root), 'start', '-p', String(port)];
  if (options.host) args.push('-H', options.host);
  return spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', stdio, stdio],
    env: webServerEnv(databaseUrl, port, nextBuildId(root)),
  });
}

/** Niceness of the browse and export lanes' processes: the CPU scheduler's weight is about a third of a default one's. */
export const BACKGROUND_LANE_NICENESS = 5;

export type WebLanes = {
  /** The lanes' server processes (a restarted lane's new one replaces it here). */
  servers: Record<WebLane, ChildProcess>;
  ports: Record<WebLane, number>;
  proxy: LaneProxy;
  /**
   * Start `lane` again on a new port (its process has exited) and resolve with the new process once it answers; the
   * proxy follows the new port, and answers 503 with Retry-After for that lane meanwhile.
   */
  restart(lane: WebLane): Promise<ChildProcess>;
};

/**
 * A lane (or `--single-web`'s server) that exits while `start` runs is started again, at most this many times within
 * LANE_RESTART_WINDOW_MS, counted per lane (RestartBudget).
 */
export const LANE_RESTARTS = 3;
export const LANE_RESTART_WINDOW_MS = 10 * 60_000;

/**
 * How many times a lane is started in all when it exits before it answers: freeLocalPort's port is free when picked,
 * but another process can bind it before `next start` does (EADDRINUSE), so the lane is started again on a new port.
 */
export const LANE_START_ATTEMPTS = 3;

/**
 * The web app as three `next start` processes on private ports, one per lane (lib/http/web-lanes.ts), behind the
 * front proxy on `port`. Resolves once every lane answers. A lane that exits before it answers is started again on
 * another port (LANE_START_ATTEMPTS in all; the proxy follows its new port). On failure, what was started is stopped.
 */
export async function spawnWebLanes(
  root: string,
  port: number,
  databaseUrl: string,
  options: {
    stdio?: 'inherit' | 'pipe';
    log?: (line: string) => void;
    timeoutMs?: number;
    /** The export lane's V8 flags (default EXPORT_LANE_V8_FLAGS). */
    exportV8Flags?: readonly string[];
    /** Where the lanes' ports come from (default freeLocalPort; tests hand out a taken one). */
    pickPort?: () => Promise<number>;
    /** Browse-lane requests in flight at once (default SLIMBOARD_BROWSE_CONCURRENCY; 0: no limit). */
    browseConcurrency?: number;
    /** How long a browse slot is held at most (default BROWSE_SLOT_HOLD_MS; benches compare others). */
    browseSlotHoldMs?: number;
  } = {},
): Promise<WebLanes> {
  const pickPort = options.pickPort ?? freeLocalPort;
  const ports = {} as Record<WebLane, number>;
  const flags: Record<WebLane, readonly string[]> = {
    browse: [],
    export: options.exportV8Flags ?? EXPORT_LANE_V8_FLAGS,
    interactive: [],
  };
  const servers = {} as Record<WebLane, ChildProcess>;
  const spawnLane = async (lane: WebLane) => {
    ports[lane] = await pickPort();
    servers[lane] = spawnWebServer(root, ports[lane], databaseUrl, { stdio: options.stdio, host: '127.0.0.1', v8Flags: flags[lane] });
    // The zoo-wide views and the exports yield the CPU to the interactive lane (and to the measuring worker).
    if (lane === 'interactive') return;
    try {
      os.setPriority(servers[lane].pid!, BACKGROUND_LANE_NICENESS);
    } catch (e) {
      options.log?.(`web: could not lower the ${lane} lane's priority (${(e as Error).message}); it runs at the default`);
    }
  };
  const answering = async (lane: WebLane) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await waitForHttp(`http://127.0.0.1:${ports[lane]}/api/jobs`, servers[lane], options.timeoutMs ?? 120_000);
      } catch (e) {
        if (servers[lane].exitCode === null || attempt >= LANE_START_ATTEMPTS) throw e;
        options.log?.(
          `web: the ${lane} lane exited with code ${servers[lane].exitCode} before answering on port ${ports[lane]} ` +
            `(another process may have taken the port); starting it again on another port`,
        );
        await spawnLane(lane);
      }
    }
  };
  let proxy: LaneProxy | undefined;
  try {
    for (const lane of WEB_LANES) await spawnLane(lane);
    const browseConcurrency = options.browseConcurrency ?? getEnv().SLIMBOARD_BROWSE_CONCURRENCY;
    proxy = await startLaneProxy({ port, lanes: ports, log: options.log, browseConcurrency, browseSlotHoldMs: options.browseSlotHoldMs });
    await Promise.all(WEB_LANES.map(answering));
    const restart = async (lane: WebLane) => {
      await spawnLane(lane);
      await answering(lane);
      return servers[lane];
    };
    return { servers, ports, proxy, restart };
  } catch (e) {
    await proxy?.close();
    await Promise.all(Object.values(servers).map((c) => stopChild(c)));
    throw e;
  }
}

/** Stop what spawnWebLanes started: the proxy first (no new requests), then the three lanes. */
export async function stopWebLanes(lanes: WebLanes): Promise<void> {
  await lanes.proxy.close();
  await Promise.all(WEB_LANES.map((lane) => stopChild(lanes.servers[lane])));
}

/**
 * Register the demo zoo (lib/demo-zoo/register-demo-zoo.ts) and log the outcome; never throws.
 * Runs beside the web build and start: it queues jobs, the worker measures them.
 */
export async function registerDemoZooAtStart(log: (line: string) => void, root: string, databaseUrl: string): Promise<void> {
  const env = getEnv();
  const { openPipeline } = await import('../../jobs/pipeline');
  const { registerDemoZoo } = await import('../../demo-zoo/register-demo-zoo');
  const { DEMO_ZOO_DIR } = await import('../../demo-zoo/manifest');
  let pipeline: Awaited<ReturnType<typeof openPipeline>> | undefined;
  try {
    const t0 = performance.now();
    pipeline = await openPipeline({ databaseUrl, supervise: false, poolSize: 3 });
    const r = await registerDemoZoo(pipeline, {
      zooDir: path.join(root, DEMO_ZOO_DIR),
      dataDir: env.dataDir,
      maxBytes: env.SLIMBOARD_UPLOAD_MAX_BYTES,
    });
    const count = (status: string) => r.models.filter((m) => m.status === status).length;
    log(
      `demo zoo: ${count('registered')} model(s) registered, ${count('moved') ? `${count('moved')} moved to a newer file, ` : ''}` +
        `${count('unchanged')} unchanged, ${count('refused')} ` +
        `refused; ${r.jobsQueued} measurement job(s) queued` +
        `${r.valSplit.generated ? `; val split generated (${r.valSplit.images} images)` : ''} ` +
        `in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    for (const p of r.problems) log(`demo zoo: error: ${p}`);
  } catch (e) {
    log(`demo zoo: error: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
  } finally {
    await pipeline?.close();
  }
}

export function stopChild(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function runStart(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCliArgs(
    args,
    { port: { type: 'string' }, 'no-build': { type: 'boolean' }, 'no-demo': { type: 'boolean' }, 'single-web': { type: 'boolean' } },
    'start',
  );
  const env = getEnv();
  const port = values.port !== undefined ? Number(values.port) : env.PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new SlimboardError('bad_arguments', `--port must be an integer in 1..65535, got "${values.port}"`);
  const root = process.cwd();
  const log = (line: string) => io.stdout(`[slimboard] ${line}\n`);

  const { getDb, getDatabaseUrl, closeDb, manageShutdownYourself, setDbLog, embeddedHandle } = await import('../../db/client');
  const { ensureSeedImported } = await import('../../zoo/import-catalog');
  manageShutdownYourself();
  setDbLog(log);

  const children: ChildProcess[] = [];
  const stopTimeoutsMs = new Map<ChildProcess, number>();
  let demoRegistration: Promise<void> = Promise.resolve();
  let supervisor: { stop(): Promise<void> } | undefined;
  let stopping: Promise<number> | undefined;
  let closeProxy: () => Promise<void> = async () => {};
  const warming = new AbortController();
  const shutdown = (code: number) => {
    stopping ??= (async () => {
      log('stopping...');
      warming.abort();
      await closeProxy();
      await Promise.all(children.map((c) => stopChild(c, stopTimeoutsMs.get(c))));
      await Promise.race([demoRegistration, new Promise((r) => setTimeout(r, 10_000))]);
      // Stopped on purpose from here on: no restart.
      await supervisor?.stop();
      await closeDb();
      log('stopped');
      return code;
    })();
    return stopping;
  };
  const finished = new Promise<number>((resolve) => {
    process.once('SIGINT', () => void shutdown(130).then(resolve));
    process.once('SIGTERM', () => void shutdown(143).then(resolve));
  });

  try {
    const t0 = performance.now();
    const db = await getDb();
    const handle = embeddedHandle();
    if (handle)
      log(
        `database: embedded PostgreSQL on port ${handle.port}${
          handle.owned ? ` (started: init ${handle.initMs.toFixed(0)} ms, start ${handle.startMs.toFixed(0)} ms)` : ' (already running)'
        }`,
      );
    else log('database: DATABASE_URL');
    if (handle) {
      const { superviseEmbeddedPostgres } = await import('../../db/embedded-postgres');
      supervisor = superviseEmbeddedPostgres({ dataDir: handle.dataDir, port: handle.port, log });
    }
    const imported = await ensureSeedImported(db);
    log(
      imported
        ? `imported the seed: ${imported.rows} rows (${imported.created} created, ${imported.updated} updated)`
        : 'seed already imported',
    );
    log(`database ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (!values['no-demo']) demoRegistration = registerDemoZooAtStart(log, root, await getDatabaseUrl());
    if (!values['no-build']) await ensureNextBuild(log, root);
    if (stopping) return await stopping;

    // A web process that exits while start runs is started again, at most LANE_RESTARTS times within
    // LANE_RESTART_WINDOW_MS for each lane (or for --single-web's one server); past that, or if it cannot start
    // again, start stops as a whole. Behind the proxy a lane's requests get 503 with Retry-After meanwhile; with
    // --single-web the port refuses connections until the new server answers.
    const supervision: WebSupervision = {
      log,
      stopping: () => stopping !== undefined,
      adopt: (next) => {
        if (!children.includes(next)) children.push(next);
        if (stopping) void stopChild(next);
      },
      giveUp: () => void shutdown(1).then(() => process.exit(1)),
    };
    const newBudget = () => new RestartBudget(LANE_RESTARTS, LANE_RESTART_WINDOW_MS);

    if (values['single-web']) {
      const databaseUrl = await getDatabaseUrl();
      let web = spawnWebServer(root, port, databaseUrl);
      children.push(web);
      await waitForHttp(`http://127.0.0.1:${port}/zoo`, web, 120_000);
      if (stopping) return await stopping;
      log(`web: one server process on port ${port} (pid ${web.pid})`);
      superviseWeb(
        {
          name: 'the web server',
          server: web,
          budget: newBudget(),
          // The same port (free again once its server has exited); in `children` at once, so that a stop meanwhile stops it.
          restart: async () => {
            web = spawnWebServer(root, port, databaseUrl);
            children.push(web);
            await waitForHttp(`http://127.0.0.1:${port}/api/jobs`, web, 120_000);
            return web;
          },
          where: () => `port ${port} (pid ${web.pid})`,
        },
        supervision,
      );
    } else {
      const lanes = await spawnWebLanes(root, port, await getDatabaseUrl(), { log, timeoutMs: 120_000 });
      const webServers = WEB_LANES.map((lane) => lanes.servers[lane]);
      children.push(...webServers);
      // The proxy, then any lane started again since (it is not in `children` until it answers).
      closeProxy = async () => {
        await lanes.proxy.close();
        await Promise.all(WEB_LANES.filter((l) => !children.includes(lanes.servers[l])).map((l) => stopChild(lanes.servers[l])));
      };
      // A stop that came while the lanes started has already stopped `children`: stop these too.
      if (stopping) {
        await closeProxy();
        await Promise.all(webServers.map((c) => stopChild(c)));
        return await stopping;
      }
      const at = (lane: WebLane) => `127.0.0.1:${lanes.ports[lane]} (pid ${lanes.servers[lane].pid})`;
      log(
        `web: three server processes behind port ${port}: browse on ${at('browse')} (zoo-wide views), ` +
          `export on ${at('export')} (CSV/JSON exports), ` +
          `interactive on ${at('interactive')} (jobs, models, uploads; --single-web: one process)`,
      );
      for (const lane of WEB_LANES)
        superviseWeb(
          {
            name: `the ${lane} lane`,
            server: lanes.servers[lane],
            budget: newBudget(),
            restart: () => lanes.restart(lane),
            where: () => at(lane),
          },
          supervision,
        );
    }
    if (stopping) return await stopping;
    // One measuring worker beside the web server (the single-machine default; `npm run worker` adds more).
    const worker = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'workers', 'main.ts')], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: childEnv({ DATABASE_URL: await getDatabaseUrl() }),
    });
    children.push(worker);
    // The worker's own grace period to finish or release its job, plus time to close its pool.
    stopTimeoutsMs.set(worker, (env.SLIMBOARD_WORKER_GRACE_SECONDS + 10) * 1000);
    worker.once('exit', (code) => {
      if (!stopping) log(`the worker exited (code ${code}); start another with: npm run worker`);
    });
    log(`Slimboard is running at http://localhost:${port}/zoo  (Ctrl-C to stop)`);
    void warmZooViews(`http://127.0.0.1:${port}`, log, { signal: warming.signal });
  } catch (e) {
    await shutdown(1);
    throw e;
  }
  return finished;
}

const start: CliCommand = {
  words: ['start'],
  summary: 'start Slimboard: database, migrations, seed import, build if needed, web server on PORT',
  usage:
    'npm start [-- --port N] [--no-build] [--no-demo] [--single-web]   (or: npm run -s slimboard -- start)\n' +
    '  --no-demo: do not register the demo zoo (lib/demo-zoo/models) at start\n' +
    '  --single-web: one web server process (default: three behind PORT, so that the zoo-wide views and exports never hold up jobs, ' +
    'model pages and uploads)',
  run: runStart,
};

export default [start];
