import { describe, expect, it } from 'vitest';
import type { Pipeline } from '../jobs/pipeline';
import { isCancelledQuery } from '../db/query-cancellation';
import { defineApiRoute } from './api-route';

/** A public route needs no pipeline; one that asks for it fails the test. */
const apiRoute = defineApiRoute(async (): Promise<Pipeline> => {
  throw new Error('this test has no pipeline');
});
const cancelled = () => Object.assign(new Error('canceling statement due to user request'), { code: '57014' });

describe('apiRoute when the client has gone away', () => {
  it('answers 499 without a body for a query cancelled because the request was aborted', async () => {
    const controller = new AbortController();
    const route = apiRoute({ auth: 'public' }, async () => {
      controller.abort(new Error('client gone'));
      throw cancelled();
    });
    const res = await route(new Request('http://slimboard.test/api/zoo', { signal: controller.signal }), { params: Promise.resolve({}) });
    expect(res.status).toBe(499);
    expect(await res.text()).toBe('');
  });

  it('answers 499 when the handler rejects with the abort reason itself', async () => {
    const controller = new AbortController();
    const reason = new Error('client gone');
    const route = apiRoute({ auth: 'public' }, async () => {
      controller.abort(reason);
      throw reason;
    });
    const res = await route(new Request('http://slimboard.test/api/zoo', { signal: controller.signal }), { params: Promise.resolve({}) });
    expect(res.status).toBe(499);
  });

  it('degenerate: a cancelled query while the client is still there, or another error of a gone client, is a 500 as before', async () => {
    const still = apiRoute({ auth: 'public' }, async () => {
      throw cancelled();
    });
    expect((await still(new Request('http://slimboard.test/api/zoo'), { params: Promise.resolve({}) })).status).toBe(500);
    const controller = new AbortController();
    const other = apiRoute({ auth: 'public' }, async () => {
      controller.abort();
      throw new Error('a real failure');
    });
    const res = await other(new Request('http://slimboard.test/api/zoo', { signal: controller.signal }), { params: Promise.resolve({}) });
    expect(res.status).toBe(500);
  });
});

describe('isCancelledQuery', () => {
  it('knows SQLSTATE 57014 by code (pg) or by message (Prisma), and nothing else', () => {
    expect(isCancelledQuery(cancelled())).toBe(true);
    expect(isCancelledQuery(Object.assign(new Error('x'), { code: '57014' }))).toBe(true);
    expect(isCancelledQuery(new Error('Raw query failed. Code: `57014`. Message: `canceling statement due to user request`'))).toBe(true);
    for (const other of [
      new Error('canceling statement due to statement timeout'),
      Object.assign(new Error('x'), { code: '40P01' }),
      'canceling statement due to user request',
      null,
    ])
      expect(isCancelledQuery(other)).toBe(false);
  });
});
