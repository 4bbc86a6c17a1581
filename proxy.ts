import { NextResponse, type NextRequest } from 'next/server';
import { isSlimboardError, SlimboardError } from './lib/errors';
import { databaseReachable } from './lib/db/database-probe';
import { getEnv } from './lib/env';
import { DATABASE_RETRY_AFTER_S, errorResponse } from './lib/http/error-response';
import { malformedPathMessage, malformedPathSegment } from './lib/http/path-encoding';
import { parseZooQuery } from './lib/zoo/query';
import { parseCompareSelection, parseExplorerView } from './lib/explorer/view-state';

/** The one 400 page for a page URL that cannot be served: what is wrong and a link to a good start. */
function badRequestPage(title: string, message: string, back: { href: string; text: string }): NextResponse {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return new NextResponse(
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
      `<title>${esc(title)} · Slimboard</title>` +
      '<style>body{font:15px/1.5 system-ui,sans-serif;max-width:720px;margin:4rem auto;padding:0 1rem;color:#1f2933}' +
      'code{background:#f1f3f5;padding:2px 4px;border-radius:3px}</style></head>' +
      `<body><h1>400: ${esc(title.toLowerCase())}</h1><p><code>${esc(message)}</code></p>` +
      `<p><a href="${esc(back.href)}">${esc(back.text)}</a></p></body></html>`,
    { status: 400, headers: { 'content-type': 'text/html; charset=utf-8' } },
  );
}

/** A page during a database outage: 503 with Retry-After, and a page that reloads itself when it is over. */
function databaseDownPage(): NextResponse {
  return new NextResponse(
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
      `<meta http-equiv="refresh" content="${DATABASE_RETRY_AFTER_S}"><title>Database unavailable · Slimboard</title>` +
      '<style>body{font:15px/1.5 system-ui,sans-serif;max-width:720px;margin:4rem auto;padding:0 1rem;color:#1f2933}</style></head>' +
      '<body><h1>503: the database is not reachable right now</h1>' +
      `<p>Slimboard restarts it by itself; this page reloads in ${DATABASE_RETRY_AFTER_S} s.</p></body></html>`,
    { status: 503, headers: { 'content-type': 'text/html; charset=utf-8', 'retry-after': String(DATABASE_RETRY_AFTER_S) } },
  );
}

function messageOf(e: unknown): string {
  return isSlimboardError(e) ? e.message : 'bad query';
}

/**
 * Requests that would otherwise fail deep inside Next.js get a real HTTP 400 here:
 * - a path segment with a malformed percent-encoding (`/models/%ff`, `/api/runs/%ff`): JSON for /api, the page otherwise;
 * - bad query parameters on the zoo, explorer and compare pages (the zoo shares its zod schema with GET /api/zoo;
 *   route handlers validate their own).
 * Pages get 503 + Retry-After while the database does not accept connections (lib/db/database-probe.ts: a probe per
 * page request, shared while in flight, at most one a second while down; API routes answer 503 themselves,
 * lib/http/error-response.ts). Only with DATABASE_URL, which `start` gives the web server.
 */
export async function proxy(request: NextRequest) {
  const { pathname, searchParams } = request.nextUrl;
  const segment = malformedPathSegment(pathname);
  if (segment !== null) {
    if (pathname.startsWith('/api/')) return errorResponse(new SlimboardError('bad_encoding', malformedPathMessage(segment)));
    return badRequestPage('Bad link', malformedPathMessage(segment), { href: '/zoo', text: 'Back to the model zoo' });
  }
  try {
    if (pathname === '/explorer') parseExplorerView(searchParams);
    if (pathname === '/compare' && searchParams.has('models') && !searchParams.has('add')) parseCompareSelection(searchParams);
  } catch (e) {
    const title = pathname === '/explorer' ? 'Bad explorer link' : 'Bad compare link';
    return badRequestPage(title, messageOf(e), { href: pathname, text: 'Start again' });
  }
  if (pathname === '/zoo') {
    try {
      parseZooQuery(searchParams);
    } catch (e) {
      return badRequestPage('Bad filter', messageOf(e), { href: '/zoo', text: 'Show the whole zoo' });
    }
  }
  if (!pathname.startsWith('/api/')) {
    const url = getEnv().DATABASE_URL;
    if (url && !(await databaseReachable(url)).up) return databaseDownPage();
  }
  return NextResponse.next();
}

export const config = { matcher: ['/', '/zoo', '/explorer', '/compare', '/jobs', '/upload', '/models/:path*', '/api/:path*'] };
