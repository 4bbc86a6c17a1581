import { isSlimboardError } from '../errors';

/**
 * The one mapping from an error to an HTTP response, for every API route (through lib/http/api-route.ts).
 * Body: `{ error: { code, message, ...details } }`, `message` one line.
 *   SlimboardError          -> its status (4xx: the caller can fix it), details spread into `error`; an integer
 *                              `details.retryAfterSeconds` also becomes `Retry-After` (503 for a busy server)
 *   database unreachable    -> 503 `database_unavailable` with `Retry-After` (nothing the caller did wrong)
 *   URIError                -> 400 `bad_encoding` (a malformed percent-encoding reached decodeURIComponent)
 *   anything else           -> 500 `internal`, the stack in the server log, nothing internal in the body
 */

export const DATABASE_RETRY_AFTER_S = 5;

/** Node socket errors and PostgreSQL/Prisma codes that mean "the database is not there right now". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections.
  '57P01',
  '57P02',
  '57P03',
  '53300',
  // Prisma: can't reach server, timed out, server closed the connection, pool timeout, too many connections.
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
  'P2037',
]);

const UNREACHABLE_MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i, /Can't reach database server/i];

/** True when `e` (or an error it wraps, through `cause` or AggregateError) says the database cannot be reached. */
export function isDatabaseUnavailable(e: unknown, depth = 0): boolean {
  if (depth > 5 || typeof e !== 'object' || e === null) return false;
  type Fields = { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  const { code, name, message, cause, errors } = e as Fields;
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || code.startsWith('08'))) return true;
  if (name === 'PrismaClientInitializationError') return true;
  if (typeof message === 'string' && UNREACHABLE_MESSAGES.some((re) => re.test(message))) return true;
  if (Array.isArray(errors) && errors.some((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}

function detailFields(details: unknown): Record<string, unknown> {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return {};
  const { code: _code, message: _message, ...rest } = details as Record<string, unknown>;
  return rest;
}

export function errorResponse(e: unknown, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Response {
  if (isSlimboardError(e)) {
    const fields = detailFields(e.details);
    // A busy server (503) or a rate limit (429) says when to come back: details.retryAfterSeconds -> Retry-After.
    const retry = fields.retryAfterSeconds;
    const headers = typeof retry === 'number' && Number.isInteger(retry) && retry > 0 ? { 'retry-after': String(retry) } : undefined;
    return Response.json({ error: { code: e.code, message: e.message, ...fields } }, { status: e.status, headers });
  }
  const first = e instanceof Error ? e.message.split('\n')[0] : String(e);
  if (isDatabaseUnavailable(e)) {
    log(`database unavailable: ${first}`);
    const message = `the database is not reachable right now; try again in ${DATABASE_RETRY_AFTER_S} s`;
    return Response.json(
      { error: { code: 'database_unavailable', message } },
      { status: 503, headers: { 'retry-after': String(DATABASE_RETRY_AFTER_S) } },
    );
  }
  if (e instanceof URIError) {
    const message = 'the URL has a malformed percent-encoding (e.g. "%ff"); encode it with encodeURIComponent';
    return Response.json({ error: { code: 'bad_encoding', message } }, { status: 400 });
  }
  log(`internal error: ${e instanceof Error ? (e.stack ?? first) : first}`);
  return Response.json({ error: { code: 'internal', message: 'internal error (logged on the server)' } }, { status: 500 });
}
