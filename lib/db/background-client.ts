import fs from 'node:fs';
import os from 'node:os';

/**
 * Work no reader waits for gets the CPU last. After a write at 100,000 runs, a zoo view's last value is served while
 * its new one is computed in the background (lib/zoo/zoo-cache.ts cachedOrLastByZooVersion); that computation's
 * queries take seconds of PostgreSQL CPU, and on a 2-core machine they slowed the readers served meanwhile 3 to 5 fold
 * (docs/scale.md, "Background computations at the lowest priority"). So a Prisma client can have a background twin
 * (lib/db/client.ts createBackgroundPrismaClient): its sessions plan no parallel workers (a parallel worker is a new
 * process at the server's priority) and, where the server runs on this machine, each of its backends is reniced when
 * it connects.
 *
 * Niceness only lowers priority: an unprivileged process cannot raise it back, so a background backend stays at it
 * for its life (its pool is the twin's own).
 */

type Twin = { open: () => object; client?: object };
const twins = new WeakMap<object, Twin>();

/** `db`'s background twin is `open()`, opened on first use (lib/db/client.ts getDb registers one). */
export function registerBackgroundClient<D extends object>(db: D, open: () => D): void {
  twins.set(db, { open });
}

/** The client background work on `db`'s database uses: its registered twin, or `db` itself when it has none. */
export function backgroundClientOf<D extends object>(db: D): D {
  const twin = twins.get(db);
  if (!twin) return db;
  twin.client ??= twin.open();
  return twin.client as D;
}

/** The twin `backgroundClientOf(db)` opened, if any (to close it with `db`). */
export function openedBackgroundClientOf<D extends object>(db: D): D | undefined {
  return twins.get(db)?.client as D | undefined;
}

/** Whether `databaseUrl` names a server on this machine (a loopback host or a Unix socket), whose pids are ours. */
export function isLocalDatabaseUrl(databaseUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return false;
  }
  const socket = url.searchParams.get('host');
  if (socket?.startsWith('/')) return true;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Set the CPU niceness of PostgreSQL backend `pid` on this machine. False, and nothing changed, where `pid` is not a
 * process named `postgres` here (a server in a container or elsewhere reports pids of its own namespace), where this
 * OS has no /proc, or where the OS refuses (another user's process, or raising priority without the privilege).
 */
export function lowerBackendPriority(pid: number | null | undefined, niceness: number): boolean {
  if (!pid || !Number.isInteger(pid) || pid <= 0) return false;
  let comm: string;
  try {
    comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return false;
  }
  if (comm !== 'postgres') return false;
  try {
    if (os.getPriority(pid) >= niceness) return true; // already as low (never raise it)
    os.setPriority(pid, niceness);
    return true;
  } catch {
    return false;
  }
}

/**
 * Set this process's niceness to `niceness`, every thread of it: on Linux a niceness belongs to a thread, and V8's and
 * libuv's threads started before this call keep theirs otherwise (threads started later inherit it). Never raises
 * it. Returns how many threads were changed or already as low.
 */
export function lowerOwnPriority(niceness: number): number {
  let tids: number[];
  try {
    tids = fs
      .readdirSync('/proc/self/task')
      .map(Number)
      .filter((t) => Number.isInteger(t) && t > 0);
  } catch {
    tids = [0]; // no /proc: the calling thread (os.setPriority's default)
  }
  let lowered = 0;
  for (const tid of tids) {
    try {
      if (os.getPriority(tid) < niceness) os.setPriority(tid, niceness);
      lowered++;
    } catch {
      // a thread that ended meanwhile, or an OS that refuses: the others still count
    }
  }
  return lowered;
}
