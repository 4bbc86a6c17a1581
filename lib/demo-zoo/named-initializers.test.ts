import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, copyFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readParamNamesFile, renameParams } from '../compression/param-names';
import { createSession } from '../inference/runtime/ort';
import { pruneChannels } from '../onnx/channel-prune';
import { weightInitializers } from '../onnx/compute-count';
import { readModelFile } from '../onnx/model-file';
import { tensorDims } from '../onnx/tensor';
import { renameDemoInitializers } from '../../tools/demo-zoo/rename-initializers';
import { DEMO_ZOO_DIR, readDemoZooManifest, type TDemoZooManifest } from './manifest';

const ZOO = path.resolve(DEMO_ZOO_DIR);
/** The baseline as exported (anonymous initializers), before tools/demo-zoo/rename-initializers.ts. */
const OLD_BASELINE = path.resolve('lib/demo-zoo/__fixtures__/baseline-anonymous-initializers.onnx');
const manifest: TDemoZooManifest = await readDemoZooManifest(ZOO);
const baseline = manifest.models.find((m) => m.id === 'baseline')!;
const former = baseline.supersedes![0];
const NEW_BASELINE = path.join(ZOO, baseline.file);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Deterministic image in [0, 1), NCHW. */
function sampleImage(n: number, h: number, w: number): Float32Array {
  return new Float32Array(n * 3 * h * w).map((_, i) => ((i * 7919) % 997) / 997);
}

async function outputsOf(
  file: string,
  image: Float32Array,
  dims: number[],
): Promise<Record<string, { dims: readonly number[]; data: Float32Array }>> {
  const session = await createSession(file, { intraOpNumThreads: 1 });
  try {
    const out = await session.run({ [manifest.adapter.input.name]: { data: image, dims } });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { dims: v.dims, data: v.data as Float32Array }]));
  } finally {
    await session.release();
  }
}

describe('demo baseline with the lineage parameter names', () => {
  it('the fixture is the superseded file: sha256 and size as the manifest records them', () => {
    expect(sha256(OLD_BASELINE)).toBe(former.sha256);
    expect(readFileSync(OLD_BASELINE).length).toBe(former.bytes);
    expect(sha256(NEW_BASELINE)).toBe(baseline.sha256);
  });

  it('the manifest maps every lineage name to itself, and the former file to its anonymous names', () => {
    for (const [k, v] of Object.entries(baseline.paramNames!)) expect(v).toBe(k);
    expect(Object.keys(former.paramNames!).sort()).toEqual(Object.keys(baseline.paramNames!).sort());
    expect(Object.values(former.paramNames!).every((v) => v.startsWith('onnx::Conv_'))).toBe(true);
  });

  it("every pruned parameter of every model pruned from the baseline is a conv weight initializer of the baseline's file", () => {
    const model = readModelFile(NEW_BASELINE).model;
    const inits = new Set((model.graph!.initializer ?? []).map((t) => t.name));
    const convWeights = new Set((model.graph!.node ?? []).filter((n) => n.opType === 'Conv').map((n) => n.input![1]));
    const pruned = manifest.models.filter((m) => m.lineage.parent === 'baseline' && m.lineage.prunedParams?.length);
    expect(pruned.map((m) => m.id).sort()).toEqual(['prune_r578', 'prune_sensity', 'prune_r578_distill'].sort());
    for (const m of pruned) {
      for (const p of m.lineage.prunedParams!) {
        expect(inits.has(p), `${m.id}: ${p}`).toBe(true);
        expect(convWeights.has(p), `${m.id}: ${p}`).toBe(true);
      }
    }
    for (const name of Object.values(former.paramNames!)) expect(inits.has(name), name).toBe(false);
  });

  it('only names changed: each initializer holds the same values under its new name, and the nodes are the same', () => {
    const before = readModelFile(OLD_BASELINE).model.graph!;
    const after = readModelFile(NEW_BASELINE).model.graph!;
    const toNew = new Map(Object.entries(former.paramNames!).map(([param, old]) => [old, param]));
    const rename = (n: string | null | undefined) => toNew.get(n ?? '') ?? n ?? '';
    const afterInits = new Map((after.initializer ?? []).map((t) => [t.name ?? '', t]));
    expect(afterInits.size).toBe((before.initializer ?? []).length);
    for (const t of before.initializer ?? []) {
      const u = afterInits.get(rename(t.name))!;
      expect(u, t.name ?? '').toBeDefined();
      expect(tensorDims(u)).toEqual(tensorDims(t));
      expect(Buffer.from(u.rawData!).equals(Buffer.from(t.rawData!)), t.name ?? '').toBe(true);
    }
    expect(after.node!.map((n) => [n.opType, n.name, n.input, n.output])).toEqual(
      before.node!.map((n) => [n.opType, n.name, (n.input ?? []).map(rename), n.output]),
    );
  });

  it('onnxruntime: the renamed file computes exactly the outputs of the former file (batch 2, 256x352)', async () => {
    const dims = [2, 3, 256, 352];
    const image = sampleImage(2, 256, 352);
    const a = await outputsOf(OLD_BASELINE, image, dims);
    const b = await outputsOf(NEW_BASELINE, image, dims);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) {
      expect(b[k].dims, k).toEqual(a[k].dims);
      expect(
        Buffer.from(b[k].data.buffer, b[k].data.byteOffset, b[k].data.byteLength).equals(
          Buffer.from(a[k].data.buffer, a[k].data.byteOffset, a[k].data.byteLength),
        ),
        k,
      ).toBe(true);
    }
  });

  it("prune with the sensity lineage's params and ratios applies to the file without a name map and gives prune_sensity's shapes", () => {
    const sensity = manifest.models.find((m) => m.id === 'prune_sensity')!;
    const loaded = readModelFile(NEW_BASELINE);
    const r = pruneChannels(loaded.model, { params: sensity.lineage.prunedParams!, ratios: sensity.lineage.ratios! }, loaded.source);
    expect(r.pruned.map((p) => p.param)).toEqual(sensity.lineage.prunedParams);
    expect(r.pruned.every((p) => !p.skippedBecause)).toBe(true);
    // The shipped prune_sensity (pruned by the Python pipeline, anonymous names) has the same weight shapes, in graph order.
    const shapes = (m: ReturnType<typeof readModelFile>['model']) => {
      const inits = new Map((m.graph!.initializer ?? []).map((t) => [t.name ?? '', t]));
      return (m.graph!.node ?? []).filter((n) => n.opType === 'Conv').map((n) => tensorDims(inits.get(n.input![1])!));
    };
    const shipped = readModelFile(path.join(ZOO, sensity.file)).model;
    expect(shapes(r.model)).toEqual(shapes(shipped));
    const total = (m: typeof shipped) => [...weightInitializers(m).values()].reduce((x, y) => x + y, 0);
    expect(total(r.model)).toBe(total(shipped));
  });

  it('--param-names manifest.json still names the former file (via supersedes), as the new file is named', () => {
    const names = readParamNamesFile(path.join(ZOO, 'manifest.json'), former.sha256);
    expect(names).toEqual(former.paramNames);
    const renamed = renameParams(readModelFile(OLD_BASELINE).model, names, OLD_BASELINE);
    const namesOf = (m: typeof renamed) => (m.graph!.initializer ?? []).map((t) => t.name).sort();
    expect(namesOf(renamed)).toEqual(namesOf(readModelFile(NEW_BASELINE).model));
    expect(readParamNamesFile(path.join(ZOO, 'manifest.json'), baseline.sha256)).toEqual(baseline.paramNames);
  });

  it('rename-initializers reproduces the shipped file and manifest entry from the former ones, and a second run changes nothing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'slimboard-rename-'));
    dirs.push(dir);
    for (const f of readdirSync(ZOO)) if (f.endsWith('.onnx') && f !== baseline.file) symlinkSync(path.join(ZOO, f), path.join(dir, f));
    copyFileSync(OLD_BASELINE, path.join(dir, baseline.file));
    // The manifest as it was: the former sha256, size and names, no supersedes.
    const oldManifest = JSON.parse(readFileSync(path.join(ZOO, 'manifest.json'), 'utf8')) as { models: Array<{ id: string }> };
    const rawBaseline = oldManifest.models.find((m) => m.id === 'baseline') as Record<string, unknown>;
    delete rawBaseline.supersedes;
    Object.assign(rawBaseline, { sha256: former.sha256, bytes: former.bytes, paramNames: former.paramNames });
    writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(oldManifest, null, 2)}\n`);

    const first = await renameDemoInitializers({ zooDir: dir });
    expect(first).toMatchObject({ status: 'renamed', renamed: Object.keys(former.paramNames!).length });
    expect(first.before).toEqual({ sha256: former.sha256, bytes: former.bytes });
    expect(first.after).toEqual({ sha256: baseline.sha256, bytes: baseline.bytes });
    expect(sha256(path.join(dir, baseline.file))).toBe(baseline.sha256);
    const written = await readDemoZooManifest(dir, { verifyFiles: true });
    expect(written.models.find((m) => m.id === 'baseline')).toEqual(manifest.models.find((m) => m.id === 'baseline'));

    const manifestBytes = readFileSync(path.join(dir, 'manifest.json'));
    const second = await renameDemoInitializers({ zooDir: dir });
    expect(second).toMatchObject({ status: 'unchanged', renamed: 0, after: first.after });
    expect(readFileSync(path.join(dir, 'manifest.json')).equals(manifestBytes)).toBe(true);
    expect(sha256(path.join(dir, baseline.file))).toBe(baseline.sha256);
  });
});
