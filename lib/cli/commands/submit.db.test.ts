import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { publicBaseUrl } from '@/lib/http/public-base-url';
import { loadZoo } from '@/lib/zoo/list-zoo-rows';
import { tinyMetadata } from '@/tests/pipeline/pipeline-fixture';
import { tinyDetector } from '@/tests/pipeline/tiny-models';
import type { CliIo } from '../command';
import submit, { modelLines } from './submit';

/**
 * `submit` (local door, no --wait) against the test database: it prints the model's slug and page URL
 * (`--json`: modelSlug, modelUrl), the slug names the created model, and the run is in the zoo's
 * measured section for its dataset, submitted by `local` (its owner).
 */

let dir: string;
let db: PrismaClient;

function capture(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'slimboard-submit-'));
  await fs.writeFile(path.join(dir, 'tiny.onnx'), tinyDetector());
  const baseline = 'yolov3-mobilenet-v1-coco';
  const meta = tinyMetadata({ name: 'Submitted tiny', family: 'YOLOv3', dataset: 'coco', baseline, inputSizes: [64] });
  await fs.writeFile(path.join(dir, 'meta.json'), JSON.stringify(meta));
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL! }) });
});
afterAll(async () => {
  await db?.$disconnect();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('submit prints where the model lives', () => {
  it('--json includes modelSlug and an absolute modelUrl; the text form prints both', async () => {
    const io = capture();
    expect(await submit.run([path.join(dir, 'tiny.onnx'), '--meta', path.join(dir, 'meta.json'), '--json'], io), io.err).toBe(0);
    const printed = JSON.parse(io.out) as { run: { id: string; modelSlug: string }; modelSlug: string; modelUrl: string };
    expect(printed.modelSlug).toBe(printed.run.modelSlug);
    expect(printed.modelSlug).toMatch(/^submitted-tiny-[0-9a-f]{8}$/);
    expect(printed.modelUrl).toBe(`${publicBaseUrl()}/models/${printed.modelSlug}`);
    expect(new URL(printed.modelUrl).pathname).toBe(`/models/${printed.modelSlug}`);

    const { rows } = await loadZoo(db);
    const row = rows.find((r) => r.model.slug === printed.modelSlug);
    expect(row).toMatchObject({ section: { slug: 'runs-coco' }, inputSize: 64 });
    expect(row?.run).toMatchObject({ id: printed.run.id, door: 'cli', submitter: 'local', jobsDone: 0, jobsTotal: 3 });

    const text = capture();
    expect(await submit.run([path.join(dir, 'tiny.onnx'), '--meta', path.join(dir, 'meta.json')], text), text.err).toBe(0);
    // The same bytes with the same metadata again: linked to the first run (nothing new), and it says where that lives.
    expect(text.out).toContain(`same file and metadata as run ${printed.run.id}: nothing new registered`);
    const slug = /^ {2}model (\S+)$/m.exec(text.out)?.[1];
    expect(slug).toBe(printed.modelSlug);
    expect(text.out).toContain(`  page  ${publicBaseUrl()}/models/${slug}\n`);
  });

  it('--owner sets the run\'s owner (the zoo\'s submitter); a bad handle or --owner with --server is a usage error', async () => {
    await fs.writeFile(path.join(dir, 'owned.onnx'), tinyDetector({ seed: 71 }));
    const io = capture();
    const args = [path.join(dir, 'owned.onnx'), '--meta', path.join(dir, 'meta.json'), '--json'];
    expect(await submit.run([...args, '--owner', 'alice'], io), io.err).toBe(0);
    const printed = JSON.parse(io.out) as { run: { id: string; owner: string }; modelSlug: string };
    expect(printed.run.owner).toBe('alice');
    const row = (await loadZoo(db)).rows.find((r) => r.model.slug === printed.modelSlug);
    expect(row?.run?.submitter).toBe('alice');

    const badHandle = submit.run([...args, '--owner', 'alice smith'], capture());
    await expect(badHandle).rejects.toMatchObject({ code: 'bad_owner', message: /^--owner: "alice smith"/ });
    const withServer = submit.run([...args, '--owner', 'alice', '--server', 'http://127.0.0.1:9'], capture());
    await expect(withServer).rejects.toMatchObject({ code: 'bad_arguments' });
  });

  it('modelLines: nothing for a run without a model (refused or withdrawn)', () => {
    expect(modelLines('http://h', null)).toBe('');
    expect(modelLines('http://h/', 'a b')).toBe('  model a b\n  page  http://h/models/a%20b\n');
  });
});
