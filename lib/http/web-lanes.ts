import http from 'node:http';
import type { AddressInfo } from 'node:net';

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
 */

export type WebLane = 'browse' | 'export' | 'interactive';

export const WEB_LANES: readonly WebLane[] = ['browse', 'export', 'interactive'];

const BROWSE_PATHS = new Set(['/', '/zoo', '/explorer', '/compare', '/api/zoo']);

/** The lane for a request target (`/zoo?page=2`, `/models/x`, ...). Unparseable targets go to `interactive`. */
export function webLaneOf(target: string): WebLane {
  const hash = target.indexOf('#');
  const noHash = hash < 0 ? target : target.slice(0, hash);
  const q = noHash.indexOf('?');
  let pathname = q < 0 ? noHash : noHash.slice(0, q);
  if (pathname.length > 1 && pathname.endsWith('/')) pathname = pathname.replace(/\/+$/, '') || '/';
  if (!BROWSE_PATHS.has(pathname)) return 'interactive';
  // The route reads `format` with URLSearchParams; any value (a bad one is the export route's 400) is an export.
  if (pathname === '/api/zoo' && q >= 0 && new URLSearchParams(noHash.slice(q + 1)).has('format')) return 'export';
  return 'browse';
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
};

function laneUnavailable(res: http.ServerResponse, lane: WebLane, cause: string, retryAfterSeconds: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({
    error: {
      code: 'web_lane_unavailable',
      message: `the ${lane} web server did not answer (${cause}); it may be starting or restarting. Try again in ${retryAfterSeconds} s`,
    },
  });
  res.writeHead(503, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'retry-after': String(retryAfterSeconds),
    'cache-control': 'no-store',
  });
  res.end(body);
}

/** Start the front proxy on `port`; resolves once it listens. */
export async function startLaneProxy(options: LaneProxyOptions): Promise<LaneProxy> {
  const retryAfterSeconds = options.retryAfterSeconds ?? 5;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

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
    send(false);
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
