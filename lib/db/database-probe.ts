import net from 'node:net';

/**
 * Is the database accepting connections right now? For the pages (proxy.ts), which cannot set a status
 * from a server component: during an outage they answer 503 with Retry-After instead of rendering an error.
 *
 * The probe speaks just enough of the PostgreSQL wire protocol to tell "up" from "down" without a driver
 * (proxy.ts is bundled on its own): it sends a StartupMessage and reads the first reply.
 *   'R' (an authentication request)                      -> up (the probe hangs up before authenticating)
 *   'E' with 57P01/57P02/57P03 (shutting down, starting up) or 53300 (too many connections) -> down
 *   'E' with any other code                              -> up (the page reports its own error)
 *   refused, reset, closed or silent for `timeoutMs`     -> down
 * One probe at a time per URL: callers that arrive while one is in flight share its answer. A settled "up" is
 * never reused (the server can die between two requests, and a page that renders into a dead database answers
 * 500, not 503); a "down" is reused for `downTtlMs`, so an outage costs one connection attempt a second.
 */

export type ProbeResult = { up: true } | { up: false; reason: string };

const DOWN_CODES = new Set(['57P01', '57P02', '57P03', '53300']);

/** The StartupMessage of protocol 3.0 for `user` on `database`. */
export function startupMessage(user: string, database: string): Buffer {
  const body = Buffer.from(`user\0${user}\0database\0${database}\0\0`, 'utf8');
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(196608, 4);
  return Buffer.concat([head, body]);
}

/** The SQLSTATE of an ErrorResponse ('E', length, then type-byte + cstring fields), or null when incomplete. */
export function errorResponseCode(reply: Buffer): string | null {
  if (reply.length < 5 || reply[0] !== 0x45) return null;
  const end = Math.min(reply.length, 1 + reply.readInt32BE(1));
  let i = 5;
  while (i < end && reply[i] !== 0) {
    const type = reply[i];
    const stop = reply.indexOf(0, i + 1);
    if (stop < 0 || stop > end) return null;
    if (type === 0x43) return reply.toString('utf8', i + 1, stop);
    i = stop + 1;
  }
  return null;
}

/** One probe of the server behind a postgres:// URL (TCP hosts only; anything else is reported up). */
export function probeDatabase(databaseUrl: string, timeoutMs = 1500): Promise<ProbeResult> {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return Promise.resolve({ up: true });
  }
  if (!url.hostname) return Promise.resolve({ up: true });
  const user = decodeURIComponent(url.username) || 'postgres';
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || user;
  return new Promise((resolve) => {
    let reply = Buffer.alloc(0);
    let settled = false;
    const socket = net.connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || 5432 });
    const done = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => done({ up: false, reason: `no answer within ${timeoutMs} ms` }));
    socket.on('error', (e: NodeJS.ErrnoException) => done({ up: false, reason: e.code ?? e.message }));
    socket.on('close', () => done({ up: false, reason: 'connection closed before an answer' }));
    socket.on('connect', () => socket.write(startupMessage(user, database)));
    socket.on('data', (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk]);
      if (reply[0] !== 0x45) return done({ up: true });
      const code = errorResponseCode(reply);
      if (code !== null) done(DOWN_CODES.has(code) ? { up: false, reason: `PostgreSQL ${code}` } : { up: true });
    });
  });
}

type CacheEntry = { settledAt: number | null; result: Promise<ProbeResult> };
const cache = new Map<string, CacheEntry>();

/** `probeDatabase`, one in flight per URL; a "down" answer reused for `downTtlMs`, an "up" answer never. */
export function databaseReachable(
  databaseUrl: string,
  o: { downTtlMs?: number; timeoutMs?: number; now?: () => number } = {},
): Promise<ProbeResult> {
  const now = o.now ?? Date.now;
  const hit = cache.get(databaseUrl);
  if (hit && (hit.settledAt === null || now() - hit.settledAt < (o.downTtlMs ?? 1000))) return hit.result;
  const entry: CacheEntry = { settledAt: null, result: probeDatabase(databaseUrl, o.timeoutMs) };
  cache.set(databaseUrl, entry);
  void entry.result.then((r) => {
    if (cache.get(databaseUrl) !== entry) return;
    if (r.up) cache.delete(databaseUrl);
    else entry.settledAt = now();
  });
  return entry.result;
}
