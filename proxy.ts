import { NextResponse, type NextRequest } from 'next/server';
import { isSlimboardError } from './lib/errors';
import { parseZooQuery } from './lib/zoo/query';
import { parseCompareSelection, parseExplorerView } from './lib/explorer/view-state';

/** Explorer and compare links with malformed parameters get the same 400 page (explorer/compare area). */
function badQuery(title: string, message: string, back: string): NextResponse {
  const escaped = message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return new NextResponse(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} · Slimboard</title><style>body{font:15px/1.5 system-ui,sans-serif;max-width:720px;margin:4rem auto;padding:0 1rem;color:#1f2933}code{background:#f1f3f5;padding:2px 4px;border-radius:3px}</style></head><body><h1>400: ${title.toLowerCase()}</h1><p><code>${escaped}</code></p><p><a href="${back}">Start again</a></p></body></html>`,
    { status: 400, headers: { 'content-type': 'text/html; charset=utf-8' } },
  );
}

/**
 * Bad query parameters on pages get a real HTTP 400 (route handlers validate their own): the zoo page
 * shares its zod schema with GET /api/zoo.
 */
export function proxy(request: NextRequest) {
  const { pathname, searchParams } = request.nextUrl;
  try {
    if (pathname === '/explorer') parseExplorerView(searchParams);
    if (pathname === '/compare' && searchParams.has('models') && !searchParams.has('add')) parseCompareSelection(searchParams);
  } catch (e) {
    return badQuery(pathname === '/explorer' ? 'Bad explorer link' : 'Bad compare link', isSlimboardError(e) ? e.message : 'bad query', pathname);
  }
  if (request.nextUrl.pathname === '/zoo') {
    try {
      parseZooQuery(request.nextUrl.searchParams);
    } catch (e) {
      const message = isSlimboardError(e) ? e.message : 'bad query';
      const escaped = message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      return new NextResponse(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad filter · Slimboard</title><style>body{font:15px/1.5 system-ui,sans-serif;max-width:720px;margin:4rem auto;padding:0 1rem;color:#1f2933}code{background:#f1f3f5;padding:2px 4px;border-radius:3px}</style></head><body><h1>400: bad filter</h1><p><code>${escaped}</code></p><p><a href="/zoo">Show the whole zoo</a></p></body></html>`,
        { status: 400, headers: { 'content-type': 'text/html; charset=utf-8' } },
      );
    }
  }
  return NextResponse.next();
}

export const config = { matcher: ['/zoo', '/explorer', '/compare'] };
