import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { getDatabaseUrl } from '../db/client';
import { getEnv } from '../env';
import type { OffloadTarget } from './zoo-cache';
import type { TZooViewRequest, TZooViewValue } from './zoo-view-requests';

/**
 * A web server's zoo-views process. After a write at 100,000 runs the landing page, the explorer and the zoo's pages
 * are recomputed while readers are served their last value (lib/zoo/zoo-cache.ts cachedOrLastByZooVersion). Computed
 * in the web process, that work (1.3 to 1.7 s of JavaScript and garbage collection per overview, in stretches of up
 * to 100 ms, plus seconds of PostgreSQL CPU) slowed the stale reads beside it 3 to 5 fold on 2 cores. Here it runs in
 * a child process (workers/zoo-views.ts) at the lowest CPU priority, every thread of it, whose database backends are
 * reniced too and plan no parallel workers (lib/db/background-client.ts): the readers' process and backends take the
 * CPU first (docs/scale.md, "Background computations in a process of their own").
 *
 * - Enabled by the web server only (instrumentation.ts), unless SLIMBOARD_BACKGROUND_NICENESS is `off`; elsewhere
 *   (CLI, workers, tests) views are computed in process.
 * - Started on the first request, and stopped when it has had nothing to do for `idleStopMs` (its memory is then
 *   the web server's again); it dies with its parent (it exits when the IPC channel closes) and ignores the
 *   terminal's SIGINT.
 * - Values cross as V8's structured clone (`serialization: 'advanced'`): Dates, NaN, -0 and undefined fields come
 *   back exactly.
 * - A request whose process exits, fails to start or reports an error is rejected with a message that says so; the
 *   caller (zoo-cache) then computes in process. After a process that ended before it was ready (it could not load),
 *   requests are rejected at once for VIEWS_PROCESS_RETRY_MS, so a process that cannot start is not started at every
 *   write.
 */

/** How long the zoo-views process may sit idle before it is stopped. */
export const VIEWS_PROCESS_IDLE_STOP_MS = 120_000;
/** How long views are computed in process after a zoo-views process ended before it was ready. */
export const VIEWS_PROCESS_RETRY_MS = 60_000;

/** parent -> child; with `save`, the child also stores the value as `key` at zoo `version` (its build's store) */
export interface TViewsRequestMessage {
  id: number;
  request: TZooViewRequest;
  save?: { key: string; version: string };
}
/** child -> parent: `ready` once, when it has loaded and can compute, then one reply per request */
export type TViewsReplyMessage = { id: number; value: unknown; stored: boolean } | { id: number; error: string };
export type TViewsChildMessage = TViewsReplyMessage | { ready: true };

type Pending = { resolve: (v: { value: unknown; stored: boolean }) => void; reject: (e: Error) => void };
interface ViewsChild {
  process: ChildProcess;
  pending: Map<number, Pending>;
  idleTimer?: NodeJS.Timeout;
  /** It said it had loaded and can compute. */
  ready?: boolean;
  /** This process stopped it (idle, or disabled). */
  stopping?: boolean;
}
interface ViewsState {
  enabled?: { root: string; niceness: number; idleStopMs: number };
  child?: Promise<ViewsChild>;
  /** The child `child` resolved to, while it runs. */
  running?: ViewsChild;
  /** After a child that ended before it was ready: no new one before this time (performance.now()), and why. */
  retry?: { atMs: number; why: string };
  nextId: number;
}

const globalState = globalThis as unknown as { __slimboardViewsProcess?: ViewsState };
const state: ViewsState = (globalState.__slimboardViewsProcess ??= { nextId: 1 });

/**
 * Compute the zoo views no reader waits for in a zoo-views process started from `root`'s workers/zoo-views.ts (the
 * web server, once). False, and nothing enabled, when SLIMBOARD_BACKGROUND_NICENESS is `off`.
 */
export function enableZooViewsProcess(root: string, o: { idleStopMs?: number } = {}): boolean {
  const niceness = getEnv().SLIMBOARD_BACKGROUND_NICENESS;
  if (niceness === 'off') return false;
  state.enabled = { root, niceness, idleStopMs: o.idleStopMs ?? VIEWS_PROCESS_IDLE_STOP_MS };
  state.retry = undefined;
  return true;
}

/** Stop the zoo-views process, if running, and compute in process from now on (tests). */
export async function disableZooViewsProcess(): Promise<void> {
  state.enabled = undefined;
  state.retry = undefined;
  const child = await state.child?.catch(() => undefined);
  state.child = undefined;
  state.running = undefined;
  if (child) await stopChild(child);
}

/** The pid of the running zoo-views process (tests, benches). */
export async function zooViewsProcessPid(): Promise<number | undefined> {
  return (await state.child?.catch(() => undefined))?.process.pid;
}

/**
 * `request` computed in the zoo-views process (zoo-cache's `offload`), or undefined when this process has none enabled
 * (compute in process). When the target says `save`, the child also stores the value in the key's store
 * (lib/zoo/zoo-view-snapshots.ts, for this build), at its own priority, and says so; the web process then neither
 * serializes nor writes it.
 */
export function zooViewOffload<R extends TZooViewRequest>(
  request: R,
): ((target: OffloadTarget) => Promise<{ value: TZooViewValue<R>; stored: boolean }>) | undefined {
  if (!state.enabled) return undefined;
  return ({ key, version, save }) =>
    computeInViewsProcess(request, save ? { key, version } : undefined) as Promise<{ value: TZooViewValue<R>; stored: boolean }>;
}

async function computeInViewsProcess(
  request: TZooViewRequest,
  save: TViewsRequestMessage['save'],
): Promise<{ value: unknown; stored: boolean }> {
  if (state.retry && performance.now() < state.retry.atMs) {
    const inS = Math.ceil((state.retry.atMs - performance.now()) / 1000);
    throw new Error(`${state.retry.why}; a new one is tried in ${inS} s`);
  }
  const child = await viewsChild();
  if (child.idleTimer) clearTimeout(child.idleTimer);
  child.idleTimer = undefined;
  const id = state.nextId++;
  const reply = new Promise<{ value: unknown; stored: boolean }>((resolve, reject) => child.pending.set(id, { resolve, reject }));
  const message: TViewsRequestMessage = { id, request, ...(save ? { save } : {}) };
  child.process.send(message, (e) => {
    if (e) settle(child, id, { id, error: `could not send the request to the zoo-views process: ${e.message}` });
  });
  return reply;
}

function viewsChild(): Promise<ViewsChild> {
  state.child ??= startViewsChild().catch((e: unknown) => {
    state.child = undefined;
    throw e;
  });
  return state.child;
}

async function startViewsChild(): Promise<ViewsChild> {
  const enabled = state.enabled;
  if (!enabled) throw new Error('the zoo-views process is not enabled in this process');
  const databaseUrl = await getDatabaseUrl();
  // spawn with an IPC channel rather than fork: the bundler would try to resolve fork's module path.
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(enabled.root, 'workers', 'zoo-views.ts')], {
    cwd: enabled.root,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, DATABASE_URL: databaseUrl, SLIMBOARD_BACKGROUND_NICENESS: String(enabled.niceness) },
  });
  const child: ViewsChild = { process: proc, pending: new Map() };
  const started = new Promise<ViewsChild>((resolve, reject) => {
    proc.once('spawn', () => {
      state.running = child;
      resolve(child);
    });
    proc.on('error', (e) => reject(new Error(`the zoo-views process did not start: ${e.message}`))); // later errors: 'exit' says
  });
  proc.on('message', (m: TViewsChildMessage) => {
    if ('ready' in m) child.ready = true;
    else settle(child, m.id, m);
  });
  proc.once('exit', (code, signal) => {
    forget(child);
    const why = `the zoo-views process exited (${signal ?? `code ${code}`}) before it answered`;
    // One that cannot start is not started again at every write.
    if (!child.ready && !child.stopping) {
      state.retry = { atMs: performance.now() + VIEWS_PROCESS_RETRY_MS, why: `${why}, before it was ready` };
    }
    for (const [id] of child.pending) settle(child, id, { id, error: why });
  });
  return started;
}

function settle(child: ViewsChild, id: number, reply: TViewsReplyMessage): void {
  const pending = child.pending.get(id);
  if (!pending) return;
  child.pending.delete(id);
  if ('error' in reply) pending.reject(new Error(reply.error));
  else pending.resolve({ value: reply.value, stored: reply.stored });
  if (child.pending.size === 0 && state.enabled && state.running === child) {
    const idleStopMs = state.enabled.idleStopMs;
    child.idleTimer = setTimeout(() => {
      if (child.pending.size > 0) return;
      forget(child);
      void stopChild(child);
    }, idleStopMs);
    child.idleTimer.unref();
  }
}

/** The next request starts a new process. */
function forget(child: ViewsChild): void {
  if (state.running !== child) return;
  state.running = undefined;
  state.child = undefined;
}

async function stopChild(child: ViewsChild): Promise<void> {
  child.stopping = true;
  if (child.idleTimer) clearTimeout(child.idleTimer);
  const proc = child.process;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  timer.unref();
  await exited;
  clearTimeout(timer);
}
