import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '@/lib/auth/api-tokens';
import { defineApiRoute } from '@/lib/http/api-route';
import { runRoutes } from '@/lib/http/run-routes';
import { createPipelineFixture, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { addDataset } from './dataset-registry';
import { writeSyntheticSplit } from './synthetic';
import { writeSyntheticFacesSplit } from './synthetic/faces-split';

/**
 * The web door of `dataset add` (POST /api/datasets, lib/datasets/http-add-dataset.ts): a tar archive made by GNU
 * tar registers the same dataset, with the same sha256, as `addDataset` on the folder (the CLI's path); bad input
 * gets a status and a sentence and registers nothing; no temporary file is left behind.
 */

let f: PipelineFixture;
let tmp: string;
let token: string;
let api: ReturnType<typeof runRoutes>;
const LIMIT_BYTES = 5_000_000;

beforeAll(async () => {
  f = await createPipelineFixture('dsupload');
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'slimboard-dsupload-'));
  await writeSyntheticSplit({ outDir: path.join(tmp, 'shapes'), split: 'val', count: 6, seed: 3 });
  await writeSyntheticFacesSplit({ outDir: path.join(tmp, 'faces'), perEvent: 2, seed: 3 });
  token = (await createApiToken(f.pipeline.pool, 'dataset uploader')).token;
  api = runRoutes(
    defineApiRoute(async () => f.pipeline),
    { uploadMaxBytes: () => LIMIT_BYTES },
  );
});

afterAll(async () => {
  await f?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

/** GNU tar of `dir`: `-C dir .` (entries ./…) or, with `top`, the folder itself (entries <name>/…). */
function tarOf(dir: string, o: { top?: boolean } = {}): Buffer {
  const args = o.top ? ['-cf', '-', '-C', path.dirname(dir), path.basename(dir)] : ['-cf', '-', '-C', dir, '.'];
  return execFileSync('tar', args, { maxBuffer: 1e8 });
}

function upload(query: string, body: Buffer | null, bearer: string | null = token): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/x-tar' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  return api.addDataset(new Request(`http://127.0.0.1/api/datasets?${query}`, { method: 'POST', headers, body: body === null ? null : new Uint8Array(body) }), {
    params: Promise.resolve({}),
  });
}

async function uploadTempDirs(): Promise<string[]> {
  return (await fs.readdir(os.tmpdir())).filter((n) => n.startsWith('slimboard-dataset-upload-'));
}

async function datasetCount(): Promise<number> {
  return (await f.query(`SELECT count(*)::int AS n FROM "Dataset"`))[0].n;
}

describe('POST /api/datasets', () => {
  it('a GNU tar of a VOC folder registers the dataset with the sha256 the CLI path gives; a second upload changes nothing', async () => {
    const before = await uploadTempDirs();
    const res = await upload('name=Shapes+VOC+web&format=voc&split=val', tarOf(path.join(tmp, 'shapes')));
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.dataset).toMatchObject({ slug: 'shapes-voc-web', format: 'voc', split: 'val', imageCount: 6, created: true });
    // The CLI's path on the original folder packs the same archive.
    const cli = await addDataset(path.join(tmp, 'shapes'), { name: 'Shapes VOC cli', format: 'voc', split: 'val' }, f.pipeline);
    expect(cli.sha256).toBe(body.dataset.sha256);
    expect(cli.objectCount).toBe(body.dataset.objectCount);

    const again = await upload('name=Shapes+VOC+web&format=voc&split=val', tarOf(path.join(tmp, 'shapes'), { top: true }));
    expect(again.status).toBe(200);
    expect((await again.json()).dataset).toMatchObject({ sha256: body.dataset.sha256, created: false });
    const listed = await (await api.datasets(new Request('http://127.0.0.1/api/datasets'), { params: Promise.resolve({}) })).json();
    expect(listed.datasets.find((d: { slug: string }) => d.slug === 'shapes-voc-web')).toMatchObject({ format: 'voc', sha256: body.dataset.sha256 });
    expect(await uploadTempDirs()).toEqual(before);
  });

  it('a WIDER FACE folder archived with its top folder (tar -cf x.tar faces) is stepped into', async () => {
    const res = await upload('name=Faces+web&format=widerface', tarOf(path.join(tmp, 'faces'), { top: true }));
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.dataset).toMatchObject({ slug: 'faces-web', format: 'widerface', imageCount: 6 });
  });

  it('EXPECTED FAILURE: no token is 401, a worker token 403; nothing registered', async () => {
    const n = await datasetCount();
    const tar = tarOf(path.join(tmp, 'shapes'));
    expect((await upload('name=X&format=voc', tar, null)).status).toBe(401);
    const worker = (await createApiToken(f.pipeline.pool, 'a device', 'worker')).token;
    const res = await upload('name=X&format=voc', tar, worker);
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toMatch(/worker token/);
    expect(await datasetCount()).toBe(n);
  });

  it('EXPECTED FAILURE: bad requests name the problem and register nothing', async () => {
    const n = await datasetCount();
    const before = await uploadTempDirs();
    const cases: Array<[string, Buffer | null, number, RegExp]> = [
      ['name=X&format=yolo', tarOf(path.join(tmp, 'shapes')), 400, /format/],
      ['format=voc', tarOf(path.join(tmp, 'shapes')), 400, /name/],
      ['name=Empty&format=voc', Buffer.alloc(0), 400, /empty|tar archive/],
      ['name=Not+tar&format=voc', Buffer.from('this is not a tar archive'.repeat(40)), 400, /archive/],
      // A COCO-only folder declared as WIDER FACE: the layout check of the declared format refuses it.
      ['name=Wrong+layout&format=widerface', tarOf(path.join(tmp, 'shapes')), 400, /wider/i],
      ['name=Too+big&format=voc', Buffer.alloc(LIMIT_BYTES + 1024), 413, /limit of 5000000 bytes/],
    ];
    for (const [query, body, status, message] of cases) {
      const res = await upload(query, body);
      const json = await res.json();
      expect(res.status, `${query}: ${JSON.stringify(json)}`).toBe(status);
      expect(json.error.message, query).toMatch(message);
      expect(json.error.message.split('\n'), query).toHaveLength(1);
    }
    expect(await datasetCount()).toBe(n);
    expect(await uploadTempDirs()).toEqual(before);
  });

  it('EXPECTED FAILURE: an archive with a path leaving the folder is refused before anything is written outside', async () => {
    const evil = path.join(tmp, 'evil');
    await fs.mkdir(path.join(evil, 'a'), { recursive: true });
    await fs.writeFile(path.join(evil, 'x.txt'), 'x');
    // GNU tar keeps "../x.txt" with -P (absolute names and .. preserved).
    const tar = execFileSync('tar', ['-cPf', '-', '-C', path.join(evil, 'a'), '../x.txt'], { maxBuffer: 1e7 });
    const res = await upload('name=Evil&format=coco', tar);
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/unsafe path "\.\.\/x\.txt"/);
  });
});
