import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConcurrencyLimit } from '../concurrency-limit';
import { isSlimboardError } from '../errors';

/**
 * Web server processes behind one port, so that a slow route never blocks the jobs API or a model page, and an
 * export's garbage never inflates the process that renders the zoo (issue #15). `next start` serves every request on
 * one event loop: 20 readers of `/zoo` kept `/api/jobs` (19 ms alone) at 0.4 to 0.5 s p50 under load, because it
 * waited behind their renders.
 *
 * - lane `browse`: the zoo-wide read views whose cost grows with the zoo: `/`, `/zoo`, `/explorer`, `/compare`
 *   and `/api/zoo` pages, with their RSC requests (same path, `?_rsc=`).
 * - lane `export`: `/api/zoo` with a `format` parameter (the streamed CSV/JSON exports of every matching row), in a
 *   process whose heap is kept close to its live size (lib/cli/commands/start.ts EXPORT_LANE_V8_FLAGS).
 * - lane `interactive`: everything else (jobs, model pages, uploads, runs, downloads, `/_next/` assets).
 *
 * Every lane runs the same build on the same database; a request's answer does not depend on its lane. The
 * front proxy below passes method, path, headers (Host included) and body through unchanged, adds
 * `X-Forwarded-For`/`-Proto`, passes the answer back as it streams (status, headers, `Content-Length` where the lane
 * sent one), and aborts the lane's request when the client goes away. A lane that does not answer (starting,
 * restarting, gone) gives 503 with `Retry-After`, as a database outage does.
 *
 * Admission to the browse lane: at most `browseConcurrency` rendered views (waitsForBrowseSlot) are in the lane at
 * once; the others wait at the proxy in arrival order, where a waiting request costs a socket and no render. Twenty
 * concurrent `/zoo` renders take no more CPU than two (two cores serve them either way) but hold every render's
 * garbage at once. Two at a time took 90 to 170 MiB off the lane's peak under the load bar at the same throughput,
 * and kept the server under 1 GB when a write came just before the burst (913 MiB at most, against 981 and 1,008
 * without: docs/scale.md, "Admission to the browse lane"). A request whose client goes away while it waits never
 * reaches the lane. More than `browseMaxWaiting` waiting: 503 `web_busy` with `Retry-After`. A slot is held until
 * the answer ends, or for at most BROWSE_SLOT_HOLD_MS, so that a slow reader or a slow first computation cannot keep
 * one (its answer goes on, uncounted).
 */

export type WebLane = 'browse' | 'export' | 'interactive';

export const WEB_LANES: readonly WebLane[] = ['browse', 'export', 'interactive'];

const BROWSE_PATHS = new Set(['/', '/zoo', '/explorer', '/compare', '/api/zoo']);

/** A request target's path without query, fragment or trailing slashes, and its query (`null`: none). */
function splitTarget(target: string): { pathname: string; query: string | null } {
  const hash = target.indexOf('#');
  const noHash = hash < 0 ? target : target.slice(0, hash);
  const q = noHash.indexOf('?');
  let pathname = q < 0 ? noHash : noHash.slice(0, q);
  if (pathname.length > 1 && pathname.endsWith('/')) pathname = pathname.replace(/\/+$/, '') || '/';
  return { pathname, query: q < 0 ? null : noHash.slice(q + 1) };
}

/** The lane for a request target (`/zoo?page=2`, `/models/x`, ...). Unparseable targets go to `interactive`. */
export function webLaneOf(target: string): WebLane {
  const { pathname, query } = splitTarget(target);
  if (!BROWSE_PATHS.has(pathname)) return 'interactive';
  // The route reads `format` with URLSearchParams; any value (a bad one is the export route's 400) is an export.
  if (pathname === '/api/zoo' && query !== null && new URLSearchParams(query).has('format')) return 'export';
  return 'browse';
}

/**
 * Whether a request waits for a browse slot: the browse lane's rendered views (HTML and their RSC requests), not its
 * `/api/zoo` pages. A page of 100 JSON rows costs the web process little memory and spends its time in the database
 * (a metric sort over a large run section: 0.5 to 2.0 s), so gating it would only hold rendered views back behind it.
 */
export function waitsForBrowseSlot(target: string): boolean {
  // The browse lane's paths less /api/zoo (whose exports, with `format`, are not browse either).
  const { pathname } = splitTarget(target);
  return BROWSE_PATHS.has(pathname) && pathname !== '/api/zoo';
}

/** Hop-by-hop headers (RFC 9110 section 7.6.1): they describe one connection and are never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

/** Raw header pairs less the hop-by-hop ones and any the `Connection` header names. */
export function forwardableHeaders(raw: string[]): string[] {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i].toLowerCase() === 'connection') for (const n of raw[i + 1].split(',')) named.add(n.trim().toLowerCase());
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (HOP_BY_HOP.has(name) || named.has(name)) continue;
    out.push(raw[i], raw[i + 1]);
  }
  return out;
}

export type LaneProxy = {
  port: number;
  /** Stop accepting connections and end the open ones. */
  close(): Promise<void>;
};

export type LaneProxyOptions = {
  port: number;
  host?: string;
  /** Port of each lane's server on 127.0.0.1. */
  lanes: Record<WebLane, number>;
  log?: (line: string) => void;
  /** Seconds in `Retry-After` when a lane does not answer. */
  retryAfterSeconds?: number;
  /** Rendered views (waitsForBrowseSlot) in the browse lane at once (0 or unset: no limit). */
  browseConcurrency?: number;
  /** Browse-lane requests that may wait for a slot; one more gets 503 `web_busy` (default BROWSE_MAX_WAITING). */
  browseMaxWaiting?: number;
  /** How long a browse slot is held at most (default BROWSE_SLOT_HOLD_MS). */
  browseSlotHoldMs?: number;
};

/**
 * Default bound on the browse lane's waiting requests: at the 19 to 23 `/zoo` answers a second measured under load,
 * the last of them waits 11 to 14 s.
 */
export const BROWSE_MAX_WAITING = 256;

/**
 * A browse slot is given back after this long even if its answer still streams. An admitted `/zoo` render ends in
 * about 0.1 s under the load bar (two at a time, about 22 a second), so only slow answers reach it: a client that
 * reads slowly, or a view computed for the first time (an explorer view for a new filter: 2 to 5 s at 100,000 runs,
 * much of it waiting on PostgreSQL). Neither holds the cached views behind it for longer than this, but readers who
 * keep opening new views beside the load still slow `/zoo` more with admission than without (shorter holds helped
 * that mix only somewhat: docs/scale.md, "Admission to the browse lane"; SLIMBOARD_BROWSE_CONCURRENCY=0 turns it off).
 */
export const BROWSE_SLOT_HOLD_MS = 2_000;

function serviceUnavailable(res: http.ServerResponse, code: string, message: string, retryAfterSeconds: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(503, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'retry-after': String(retryAfterSeconds),
    'cache-control': 'no-store',
  });
  res.end(body);
}

function laneUnavailable(res: http.ServerResponse, lane: WebLane, cause: string, retryAfterSeconds: number): void {
  const message = `the ${lane} web server did not answer (${cause}); it may be starting or restarting. Try again in ${retryAfterSeconds} s`;
  serviceUnavailable(res, 'web_lane_unavailable', message, retryAfterSeconds);
}

/** Start the front proxy on `port`; resolves once it listens. */
export async function startLaneProxy(options: LaneProxyOptions): Promise<LaneProxy> {
  const retryAfterSeconds = options.retryAfterSeconds ?? 5;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const browseMaxWaiting = options.browseMaxWaiting ?? BROWSE_MAX_WAITING;
  const browseSlots = options.browseConcurrency
    ? createConcurrencyLimit(options.browseConcurrency, { maxWaiting: browseMaxWaiting })
    : null;

  const server = http.createServer((req, res) => {
    const target = req.url ?? '/';
    const lane = webLaneOf(target);
    const headers = forwardableHeaders(req.rawHeaders);
    const remote = req.socket.remoteAddress ?? '';
    headers.push('x-forwarded-for', remote, 'x-forwarded-proto', 'http');
    const bodyless = req.method === 'GET' || req.method === 'HEAD';

    const send = (retried: boolean) => {
      let answered = false;
      const upstream = http.request({
        host: '127.0.0.1',
        port: options.lanes[lane],
        method: req.method,
        path: target,
        headers,
        agent,
      });
      upstream.on('response', (answer) => {
        answered = true;
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, forwardableHeaders(answer.rawHeaders));
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      });
      upstream.on('error', (e: NodeJS.ErrnoException) => {
        if (res.destroyed || res.writableFinished) return;
        // A kept-alive socket the lane closed just as it was reused: a request without a body is sent once more.
        if (!answered && bodyless && !retried && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) return send(true);
        if (answered) return void res.destroy();
        options.log?.(`web lane ${lane}: ${req.method} ${target.slice(0, 200)}: ${e.code ?? e.message}`);
        laneUnavailable(res, lane, e.code ?? e.message, retryAfterSeconds);
      });
      // The client went away before the answer ended: abort the lane's request (its renders and exports stop).
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      if (bodyless) upstream.end();
      else req.pipe(upstream);
    };
    if (!browseSlots || lane !== 'browse' || !waitsForBrowseSlot(target)) return send(false);

    const gone = new AbortController();
    const leftWhileWaiting = () => gone.abort(new Error('the client went away while its request waited'));
    res.once('close', leftWhileWaiting);
    const inFlight = () =>
      new Promise<void>((done) => {
        res.off('close', leftWhileWaiting);
        const hold = setTimeout(done, options.browseSlotHoldMs ?? BROWSE_SLOT_HOLD_MS);
        hold.unref();
        res.once('close', () => {
          clearTimeout(hold);
          done();
        });
        send(false);
      });
    browseSlots.run(inFlight, { signal: gone.signal }).catch((e: unknown) => {
      // A waiter whose client left has nothing to answer; a full queue is told when to come back.
      if (!isSlimboardError(e) || e.code !== 'busy') return;
      const message =
        `the server is answering ${browseSlots.active} zoo views and ${browseMaxWaiting} more are waiting, the most it ` +
        `queues; try again in ${retryAfterSeconds} s`;
      serviceUnavailable(res, 'web_busy', message, retryAfterSeconds);
    });
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 60_000;
  server.requestTimeout = 0; // uploads and exports may take minutes

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
