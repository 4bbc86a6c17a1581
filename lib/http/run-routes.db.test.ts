import { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '@/lib/auth/api-tokens';
import { withPgTransaction } from '@/lib/db/pg-transaction';
import { failRunFromJob } from '@/lib/runs/run-state';
import { registerRun } from '@/lib/runs/register-run';
import type { Pipeline } from '@/lib/jobs/pipeline';
import { createPipelineFixture, tinyMetadata, NUM_SHAPE_CLASSES, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { tinyDetector } from '@/tests/pipeline/tiny-models';
import { defineApiRoute } from './api-route';
import { CONTENT_LENGTH_HEADER } from './content-length';
import { runRoutes } from './run-routes';

/**
 * The run API through its route wrapper, as app/api serves it, against a real PostgreSQL: the HTTP edge
 * (UTF-8 file names, oversized meta, downloads' Content-Length, database outage), safe deletes and
 * re-uploads of the same bytes.
 */

let f: PipelineFixture;
let token: string;
let api: ReturnType<typeof runRoutes>;

beforeAll(async () => {
  f = await createPipelineFixture('routes');
  token = (await createApiToken(f.pipeline.pool, 'tests')).token;
  api = runRoutes(defineApiRoute(async () => f.pipeline), { uploadMaxBytes: () => 64 * 1024 * 1024 });
});
afterAll(async () => {
  await f?.close();
});

const none = { params: Promise.resolve({}) };
const auth = () => ({ authorization: `Bearer ${token}` });

function upload(meta: unknown, fileName: string, bytes: Uint8Array): Request {
  const fd = new FormData();
  fd.append('meta', typeof meta === 'string' ? meta : JSON.stringify(meta));
  fd.append('file', new Blob([Buffer.from(bytes)]), fileName);
  return new Request('http://127.0.0.1:3200/api/runs', { method: 'POST', body: fd, headers: auth() });
}

async function register(meta: unknown, fileName: string, bytes: Uint8Array) {
  const res = await api.register(upload(meta, fileName, bytes), none);
  return { status: res.status, body: await res.json() };
}

function remove(id: string) {
  return api.remove(new Request(`http://127.0.0.1:3200/api/runs/${id}`, { method: 'DELETE', headers: auth() }), { params: Promise.resolve({ id }) });
}

describe('the route wrapper', () => {
  it('EXPECTED FAILURE: a write without a token is 401 before the handler reads anything', async () => {
    const before = await f.query(`SELECT count(*)::int AS n FROM "RegisteredRun"`);
    const req = new Request('http://127.0.0.1:3200/api/runs', { method: 'POST', body: 'not even multipart' });
    const res = await api.register(req, none);
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthorized');
    expect(await f.query(`SELECT count(*)::int AS n FROM "RegisteredRun"`)).toEqual(before);
  });

  it('EXPECTED FAILURE: a database outage is 503 with Retry-After, whether the pool or the pipeline cannot connect', async () => {
    // A port nothing listens on: the same errors a stopped PostgreSQL gives.
    const dead = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:9/none', connectionTimeoutMillis: 3000 });
    try {
      const viaPool = runRoutes(defineApiRoute(async () => ({ ...f.pipeline, pool: dead }) as Pipeline), { uploadMaxBytes: () => 0 });
      const connectError = await dead.connect().then(
        () => null,
        (e: unknown) => e,
      );
      const viaOpen = runRoutes(defineApiRoute(() => Promise.reject(connectError)), { uploadMaxBytes: () => 0 });
      for (const res of [await viaPool.jobs(new Request('http://x/api/jobs'), none), await viaOpen.list(new Request('http://x/api/runs'), none)]) {
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
        expect((await res.json()).error.code).toBe('database_unavailable');
      }
    } finally {
      await dead.end();
    }
  });
});

describe('the HTTP edge of uploads and downloads', () => {
  it('a UTF-8 file name round-trips: stored, reported and offered on download as 模型-ü.onnx', async () => {
    const bytes = tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed: 501 });
    const { status, body } = await register(tinyMetadata({ name: 'utf8 name' }), '模型-ü.onnx', bytes);
    expect(status, JSON.stringify(body)).toBe(201);
    const [run] = await f.query(`SELECT "fileName" FROM "RegisteredRun" WHERE id = $1`, [body.run.id]);
    expect(run.fileName).toBe('模型-ü.onnx');
    const res = await api.download(new Request(`http://x/api/artifacts/${body.run.sha256}`), { params: Promise.resolve({ sha256: body.run.sha256 }) });
    const disposition = res.headers.get('content-disposition')!;
    expect(disposition).toBe(`attachment; filename="__-_.onnx"; filename*=UTF-8''${encodeURIComponent('模型-ü.onnx')}`);
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1])).toBe('模型-ü.onnx');
    await res.body?.cancel();
  });

  it('downloads declare their length for Next.js to keep: 200, 206 and HEAD', async () => {
    const bytes = tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed: 502 });
    const { body } = await register(tinyMetadata({ name: 'length' }), 'length.onnx', bytes);
    const sha256 = body.run.sha256 as string;
    const get = (init: RequestInit = {}) => api.download(new Request(`http://x/api/artifacts/${sha256}`, init), { params: Promise.resolve({ sha256 }) });
    const cases: Array<[RequestInit, number, number]> = [
      [{}, 200, bytes.length],
      [{ headers: { range: 'bytes=0-9' } }, 206, 10],
      [{ method: 'HEAD' }, 200, bytes.length],
    ];
    for (const [init, status, length] of cases) {
      const res = await get(init);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-length')).toBe(String(length));
      expect(res.headers.get(CONTENT_LENGTH_HEADER)).toBe(String(length));
      if (init.method === 'HEAD') expect(res.body).toBeNull();
      else expect((await res.arrayBuffer()).byteLength).toBe(length);
    }
  });

  it('EXPECTED FAILURE: a meta field over 256 KiB says "too large", not "not valid JSON"', async () => {
    const big = JSON.stringify({ ...tinyMetadata(), description: 'x'.repeat(300 * 1024) });
    const { status, body } = await register(big, 'big-meta.onnx', tinyDetector());
    expect(status).toBe(413);
    expect(body.error.message).toMatch(/meta: too large \(over 256 KiB\)/);
    expect(body.error.message).not.toMatch(/JSON/);
  });
});

describe('the same bytes uploaded again', () => {
  it('with equivalent metadata links to the existing run and model (200, nothing new); otherwise says how it differs', async () => {
    const bytes = tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed: 503 });
    const first = await register(tinyMetadata({ name: 'twice' }), 'a.onnx', bytes);
    expect(first.status).toBe(201);
    const count = async () => (await f.query(`SELECT (SELECT count(*) FROM "Model")::int AS models, (SELECT count(*) FROM "RegisteredRun")::int AS runs`))[0];
    const before = await count();

    // Same metadata with its keys in another order, and another file name (a label only).
    const reordered = Object.fromEntries(Object.entries(tinyMetadata({ name: 'twice' })).reverse());
    const again = await register(reordered, 'b.onnx', bytes);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.run).toMatchObject({ id: first.body.run.id, modelSlug: first.body.run.modelSlug, sameFileAs: { linked: true, differences: [] } });
    const jobIds = (r: { body: { run: { jobs: Array<{ id: string }> } } }) => r.body.run.jobs.map((j) => j.id).sort();
    expect(jobIds(again)).toEqual(jobIds(first));
    expect(await count()).toEqual(before);

    const renamed = await register(tinyMetadata({ name: 'twice, renamed', inputSizes: [64, 96] }), 'c.onnx', bytes);
    expect(renamed.status).toBe(201);
    expect(renamed.body.run.id).not.toBe(first.body.run.id);
    expect(renamed.body.run.sameFileAs).toEqual({ runId: first.body.run.id, modelSlug: first.body.run.modelSlug, linked: false, differences: ['inputSizes', 'name'] });
    expect(await count()).toEqual({ models: before.models + 1, runs: before.runs + 1 });
  });
  it('four identical uploads at once make one run and one model (registrations of the same bytes are serialised)', async () => {
    const bytes = tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed: 508 });
    const count = async () => (await f.query(`SELECT (SELECT count(*) FROM "Model")::int AS models, (SELECT count(*) FROM "RegisteredRun")::int AS runs`))[0];
    const before = await count();
    const answers = await Promise.all([1, 2, 3, 4].map((i) => register(tinyMetadata({ name: 'burst' }), `burst-${i}.onnx`, bytes)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.run.id)).size).toBe(1);
    expect(await count()).toEqual({ models: before.models + 1, runs: before.runs + 1 });
  });
});

describe('safe deletes', () => {
  it('EXPECTED FAILURE: deleting a model others use as baseline is refused (409, with the dependents) and changes nothing', async () => {
    const base = await register(tinyMetadata({ name: 'base for others' }), 'base.onnx', tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed: 504 }));
    const child = await register(tinyMetadata({ name: 'child', baseline: base.body.run.modelSlug }), 'child.onnx', tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed: 505 }));
    expect(child.status, JSON.stringify(child.body)).toBe(201);
    const links = `SELECT m."baselineId", m."parentId" FROM "Model" m WHERE m.slug = $1`;
    const [baseModel] = await f.query(`SELECT id FROM "Model" WHERE slug = $1`, [base.body.run.modelSlug]);
    expect(await f.query(links, [child.body.run.modelSlug])).toEqual([{ baselineId: baseModel.id, parentId: baseModel.id }]);

    const refused = await remove(base.body.run.id);
    expect(refused.status).toBe(409);
    const err = (await refused.json()).error;
    expect(err.code).toBe('model_in_use');
    expect(err.dependents).toEqual([
      { slug: child.body.run.modelSlug, relation: 'baseline' },
      { slug: child.body.run.modelSlug, relation: 'parent' },
    ]);
    expect(err.message).toContain(child.body.run.modelSlug);
    expect(await f.query(links, [child.body.run.modelSlug])).toEqual([{ baselineId: baseModel.id, parentId: baseModel.id }]);
    expect(await f.query(`SELECT 1 FROM "RegisteredRun" WHERE id = $1`, [base.body.run.id])).toHaveLength(1);

    // The database itself refuses too (ON DELETE RESTRICT): no code path can NULL the links silently.
    await expect(f.query(`DELETE FROM "Model" WHERE id = $1`, [baseModel.id])).rejects.toMatchObject({ code: expect.stringMatching(/^23(503|001)$/) });

    // Once the dependent is gone, the baseline can go.
    expect((await remove(child.body.run.id)).status).toBe(200);
    expect((await remove(base.body.run.id)).status).toBe(200);
    expect(await f.query(`SELECT 1 FROM "Model" WHERE id = $1`, [baseModel.id])).toEqual([]);
  });

  it('a run that fails for good while others depend on its model keeps the model and the links (no foreign-key error)', async () => {
    const base = await register(tinyMetadata({ name: 'failing base' }), 'fb.onnx', tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed: 506 }));
    const child = await register(tinyMetadata({ name: 'child of failing', baseline: base.body.run.modelSlug }), 'fc.onnx', tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed: 507 }));
    expect(child.status, JSON.stringify(child.body)).toBe(201);
    const [baseModel] = await f.query(`SELECT id FROM "Model" WHERE slug = $1`, [base.body.run.modelSlug]);
    const jobId = base.body.run.jobs[0].id as string;
    await withPgTransaction(f.pipeline.pool, (client) => failRunFromJob(client, base.body.run.id, jobId, 'analyse', 'NaN outputs'));

    const [run] = await f.query(`SELECT state, "modelId" FROM "RegisteredRun" WHERE id = $1`, [base.body.run.id]);
    expect(run).toEqual({ state: 'failed', modelId: baseModel.id });
    expect(await f.query(`SELECT "baselineId" FROM "Model" WHERE slug = $1`, [child.body.run.modelSlug])).toEqual([{ baselineId: baseModel.id }]);
  });
});

describe('owners: who may delete or re-run a run (docs/owners.md)', () => {
  const as = (bearer: string) => ({ authorization: `Bearer ${bearer}` });
  const removeAs = (bearer: string, id: string) =>
    api.remove(new Request(`http://127.0.0.1:3200/api/runs/${id}`, { method: 'DELETE', headers: as(bearer) }), { params: Promise.resolve({ id }) });
  const rerunAs = (bearer: string, id: string) =>
    api.rerun(new Request(`http://127.0.0.1:3200/api/runs/${id}/rerun`, { method: 'POST', headers: as(bearer) }), { params: Promise.resolve({ id }) });
  const registerAs = async (bearer: string, name: string, seed: number) => {
    const fd = new FormData();
    fd.append('meta', JSON.stringify(tinyMetadata({ name })));
    fd.append('file', new Blob([Buffer.from(tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed }))]), `${seed}.onnx`);
    const res = await api.register(new Request('http://127.0.0.1:3200/api/runs', { method: 'POST', body: fd, headers: as(bearer) }), none);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(201);
    return body.run as { id: string; owner: string; modelSlug: string };
  };
  // Re-run needs a finished run (a queued one is 409 busy): mark it done as a worker would.
  const finish = (id: string) => f.query(`UPDATE "RegisteredRun" SET state = 'done' WHERE id = $1`, [id]);
  const stillThere = async (id: string) => (await f.query(`SELECT owner, state FROM "RegisteredRun" WHERE id = $1`, [id]))[0];

  let alice: string;
  let bob: string;
  let admin: string;
  let worker: string;
  beforeAll(async () => {
    const pool = f.pipeline.pool;
    alice = (await createApiToken(pool, 'alice laptop', { owner: 'alice' })).token;
    bob = (await createApiToken(pool, 'bob')).token;
    admin = (await createApiToken(pool, 'ops', { role: 'admin' })).token;
    worker = (await createApiToken(pool, 'alice device', { owner: 'alice', scope: 'worker' })).token;
  });

  it("a run registered with a token is owned by the token's owner (reported by the run API)", async () => {
    const run = await registerAs(alice, 'owned by alice', 601);
    expect(run.owner).toBe('alice');
    expect(await stillThere(run.id)).toMatchObject({ owner: 'alice' });
    const report = await api.report(new Request(`http://x/api/runs/${run.id}`), { params: Promise.resolve({ id: run.id }) });
    expect((await report.json()).run.owner).toBe('alice');
    const bobs = await registerAs(bob, 'owned by bob', 602);
    expect(bobs.owner).toBe('bob');
  });

  it("EXPECTED FAILURE: another owner's token gets 403 naming the owner, on delete and re-run, and nothing changes", async () => {
    const run = await registerAs(alice, 'alice keeps it', 603);
    await finish(run.id);
    for (const res of [await removeAs(bob, run.id), await rerunAs(bob, run.id)]) {
      expect(res.status).toBe(403);
      const err = (await res.json()).error;
      expect(err).toMatchObject({ code: 'forbidden', owner: 'alice' });
      expect(err.message).toMatch(new RegExp(`^run ${run.id} is owned by "alice"; token "bob" \\(owner "bob"\\) can only (delete|re-run) runs of "bob"`));
    }
    expect(await stillThere(run.id)).toEqual({ owner: 'alice', state: 'done' });
    expect(await f.query(`SELECT 1 FROM "Model" WHERE slug = $1`, [run.modelSlug])).toHaveLength(1);
  });

  it('EXPECTED FAILURE: a worker token gets 403 on delete and re-run, even of its own owner\'s runs', async () => {
    const run = await registerAs(alice, 'not for workers', 604);
    await finish(run.id);
    for (const res of [await removeAs(worker, run.id), await rerunAs(worker, run.id)]) {
      expect(res.status).toBe(403);
      expect((await res.json()).error.message).toMatch(/worker token/);
    }
    expect(await stillThere(run.id)).toEqual({ owner: 'alice', state: 'done' });
  });

  it("the owner's token re-runs (202) and deletes (200) its own run", async () => {
    const run = await registerAs(alice, 'alice re-runs', 605);
    await finish(run.id);
    const rerun = await rerunAs(alice, run.id);
    expect(rerun.status).toBe(202);
    expect((await rerun.json()).run).toMatchObject({ id: run.id, state: 'queued' });
    const del = await removeAs(alice, run.id);
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ deleted: run.id });
    expect(await stillThere(run.id)).toBeUndefined();
  });

  it("an admin token re-runs (202) and deletes (200) another owner's run, and one of the local CLI", async () => {
    const run = await registerAs(bob, 'bob\'s, removed by ops', 606);
    await finish(run.id);
    expect((await rerunAs(admin, run.id)).status).toBe(202);
    expect((await removeAs(admin, run.id)).status).toBe(200);
    expect(await stillThere(run.id)).toBeUndefined();

    const local = await registerRun(f.pipeline, {
      metadata: tinyMetadata({ name: 'local run' }),
      fileName: 'local.onnx',
      file: Readable.from([Buffer.from(tinyDetector({ numClasses: NUM_SHAPE_CLASSES, seed: 607 }))]),
      door: 'cli',
      tokenId: null,
      maxBytes: 64 * 1024 * 1024,
    });
    expect(local.owner).toBe('local');
    expect((await removeAs(alice, local.id)).status).toBe(403);
    expect((await removeAs(admin, local.id)).status).toBe(200);
  });

  it('a missing run is 404 before any owner check (the answer does not depend on who asks)', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    expect((await removeAs(bob, id)).status).toBe(404);
    expect((await rerunAs(admin, id)).status).toBe(404);
  });
});
