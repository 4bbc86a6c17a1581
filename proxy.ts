import { NextResponse, type NextRequest } from 'next/server';
import { isSlimboardError, SlimboardError } from './lib/errors';
import { errorResponse } from './lib/http/error-response';
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

function messageOf(e: unknown): string {
  return isSlimboardError(e) ? e.message : 'bad query';
}

/**
 * Requests that would otherwise fail deep inside Next.js get a real HTTP 400 here:
 * - a path segment with a malformed percent-encoding (`/models/%ff`, `/api/runs/%ff`): JSON for /api, the page otherwise;
 * - bad query parameters on the zoo, explorer and compare pages (the zoo shares its zod schema with GET /api/zoo;
 *   route handlers validate their own).
 */
export function proxy(request: NextRequest) {
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
  return NextResponse.next();
}

export const config = { matcher: ['/zoo', '/explorer', '/compare', '/models/:path*', '/api/:path*'] };
