import { describe, expect, it } from 'vitest';
import { SlimboardError } from '../errors';
import { DATABASE_RETRY_AFTER_S, errorResponse, isDatabaseUnavailable } from './error-response';

function quiet() {
  const lines: string[] = [];
  return { lines, log: (l: string) => lines.push(l) };
}

describe('errorResponse', () => {
  it('a SlimboardError keeps its status and code, and its details join the error object', async () => {
    const res = errorResponse(
      new SlimboardError('model_in_use', 'model a is in use', { status: 409, details: { dependents: [{ slug: 'b' }] } }),
    );
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: 'model_in_use', message: 'model a is in use', dependents: [{ slug: 'b' }] } });
  });

  it('details cannot overwrite code or message', async () => {
    const res = errorResponse(new SlimboardError('x', 'real', { details: { code: 'fake', message: 'fake', runId: 'r' } }));
    expect(await res.json()).toEqual({ error: { code: 'x', message: 'real', runId: 'r' } });
  });

  it('a SlimboardError whose details carry a positive integer retryAfterSeconds sends Retry-After; others send none', async () => {
    const busy = errorResponse(new SlimboardError('exports_busy', 'busy', { status: 503, details: { retryAfterSeconds: 15 } }));
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('15');
    expect(await busy.json()).toEqual({ error: { code: 'exports_busy', message: 'busy', retryAfterSeconds: 15 } });
    for (const retryAfterSeconds of [0, -1, 1.5, '15', undefined])
      expect(errorResponse(new SlimboardError('x', 'y', { details: { retryAfterSeconds } })).headers.get('retry-after')).toBeNull();
    expect(errorResponse(new SlimboardError('x', 'y')).headers.get('retry-after')).toBeNull();
  });

  it('a database outage is 503 with Retry-After and is logged in one line', async () => {
    const { lines, log } = quiet();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), { code: 'ECONNREFUSED' });
    const res = errorResponse(refused, log);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe(String(DATABASE_RETRY_AFTER_S));
    expect((await res.json()).error.code).toBe('database_unavailable');
    expect(lines).toEqual(['database unavailable: connect ECONNREFUSED 127.0.0.1:5']);
  });

  it('a malformed percent-encoding reaching decodeURIComponent is 400, not 500', async () => {
    let err: unknown;
    try {
      decodeURIComponent('%ff');
    } catch (e) {
      err = e;
    }
    const res = errorResponse(err, quiet().log);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('bad_encoding');
  });

  it('anything else is 500 with nothing internal in the body, the stack in the log', async () => {
    const { lines, log } = quiet();
    const res = errorResponse(new TypeError('secret detail'), log);
    expect(res.status).toBe(500);
    expect(JSON.stringify(await res.json())).not.toContain('secret');
    expect(lines[0]).toMatch(/^internal error: TypeError: secret detail/);
  });
});

describe('isDatabaseUnavailable', () => {
  it('recognises socket errors, PostgreSQL shutdown codes, Prisma connection codes and pg pool messages', () => {
    expect(isDatabaseUnavailable({ code: 'ECONNRESET' })).toBe(true);
    expect(isDatabaseUnavailable({ code: '57P01' })).toBe(true);
    expect(isDatabaseUnavailable({ code: '08006' })).toBe(true);
    expect(isDatabaseUnavailable({ code: 'P1001' })).toBe(true);
    expect(isDatabaseUnavailable({ name: 'PrismaClientInitializationError' })).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('looks through cause chains and AggregateError', () => {
    expect(isDatabaseUnavailable(new Error('query failed', { cause: { code: 'ECONNREFUSED' } }))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([{ code: 'ECONNREFUSED' }], 'all failed'))).toBe(true);
  });

  it('degenerate cases: query errors and non-errors are not outages; a cyclic cause ends', () => {
    expect(isDatabaseUnavailable({ code: '23505' })).toBe(false); // unique violation
    expect(isDatabaseUnavailable({ code: '23503' })).toBe(false); // foreign key
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
    const cyclic: { cause?: unknown } = {};
    cyclic.cause = cyclic;
    expect(isDatabaseUnavailable(cyclic)).toBe(false);
  });
});
