import { NextResponse } from 'next/server';
import { isSlimboardError } from '@/lib/errors';

/**
 * The one error-to-HTTP mapping for route handlers: SlimboardError -> its status (4xx for bad input)
 * with `{ error: { code, message } }`; anything else -> 500 with a generic message (details in the log).
 */
export function errorResponse(e: unknown): NextResponse {
  if (isSlimboardError(e)) {
    return NextResponse.json({ error: { code: e.code, message: e.message } }, { status: e.status });
  }
  console.error(e);
  return NextResponse.json({ error: { code: 'internal', message: 'internal error' } }, { status: 500 });
}
