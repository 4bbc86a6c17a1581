import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readParamNamesFile, renameParams } from '../compression/param-names';
import { createSession } from '../inference/runtime/ort';
import { pruneChannels } from '../onnx/channel-prune';
import { weightInitializers } from '../onnx/compute-count';
import { readModelFile } from '../onnx/model-file';
import { tensorDims } from '../onnx/tensor';
import { renameDemoInitializers } from '../../tools/demo-zoo/rename-initializers';
import {
  FORMER_BASELINE_FILE as OLD_BASELINE,
  RENAMED_MANIFEST_FILE,
  renamedManifest,
  writeFormerZoo,
  writeRenamedBaseline,
} from './__fixtures__/former-baseline';
import { DEMO_ZOO_DIR, readDemoZooManifest, type TDemoZooManifest } from './manifest';

const ZOO = path.resolve(DEMO_ZOO_DIR);
/** The manifest that shipped the renamed 2026-11-29 baseline (its entry supersedes the anonymous export). */
const manifest: TDemoZooManifest = renamedManifest();
const baseline = manifest.models.find((m) => m.id === 'baseline')!;
const former = baseline.supersedes![0];
/** The renamed file, made from the anonymous one by the rename tool (checked against the manifest's sha256). */
let NEW_BASELINE = '';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slimboard-rename-'));
  dirs.push(dir);
  return dir;
};
beforeAll(async () => {
  NEW_BASELINE = await writeRenamedBaseline(tempDir());
});
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

describe('the 2026-11-29 demo baseline renamed to the lineage parameter names (tools/demo-zoo/rename-initializers.ts)', () => {
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

  it('--param-names manifest.json still names the former file (via supersedes), as the new file is named', () => {
    const names = readParamNamesFile(RENAMED_MANIFEST_FILE, former.sha256);
    expect(names).toEqual(former.paramNames);
    const renamed = renameParams(readModelFile(OLD_BASELINE).model, names, OLD_BASELINE);
    const namesOf = (m: typeof renamed) => (m.graph!.initializer ?? []).map((t) => t.name).sort();
    expect(namesOf(renamed)).toEqual(namesOf(readModelFile(NEW_BASELINE).model));
    expect(readParamNamesFile(RENAMED_MANIFEST_FILE, baseline.sha256)).toEqual(baseline.paramNames);
  });

  it('rename-initializers reproduces the renamed file and manifest entry from the former ones, and a second run changes nothing', async () => {
    const dir = tempDir();
    writeFormerZoo(dir);
    const first = await renameDemoInitializers({ zooDir: dir });
    expect(first).toMatchObject({ status: 'renamed', renamed: Object.keys(former.paramNames!).length });
    expect(first.before).toEqual({ sha256: former.sha256, bytes: former.bytes });
    expect(first.after).toEqual({ sha256: baseline.sha256, bytes: baseline.bytes });
    expect(sha256(path.join(dir, baseline.file))).toBe(baseline.sha256);
    const written = await readDemoZooManifest(dir, { verifyFiles: true });
    expect(written.models.find((m) => m.id === 'baseline')).toEqual(baseline);

    const manifestBytes = readFileSync(path.join(dir, 'manifest.json'));
    const second = await renameDemoInitializers({ zooDir: dir });
    expect(second).toMatchObject({ status: 'unchanged', renamed: 0, after: first.after });
    expect(readFileSync(path.join(dir, 'manifest.json')).equals(manifestBytes)).toBe(true);
    expect(sha256(path.join(dir, baseline.file))).toBe(baseline.sha256);
  });
});

describe('the shipped demo zoo: the export names the head parameters as PaddleDetection does', () => {
  let shipped: TDemoZooManifest;
  beforeAll(async () => {
    shipped = await readDemoZooManifest(ZOO);
  });

  it('every fp32 model maps each lineage name to itself, and each is a Conv weight initializer of its file', () => {
    const fp32 = shipped.models.filter((m) => m.precision === 'fp32');
    expect(fp32.length).toBeGreaterThan(0);
    for (const m of fp32) {
      const model = readModelFile(path.join(ZOO, m.file)).model;
      const convWeights = new Set((model.graph!.node ?? []).filter((n) => n.opType === 'Conv').map((n) => n.input![1]));
      expect(Object.keys(m.paramNames ?? {}).length, m.id).toBe(20);
      for (const [k, v] of Object.entries(m.paramNames!)) {
        expect(v, m.id).toBe(k);
        expect(convWeights.has(k), `${m.id}: ${k}`).toBe(true);
      }
    }
  });

  it("prune with the sensity lineage's params and ratios applies to the file without a name map and gives prune_sensity's shapes", () => {
    const sensity = shipped.models.find((m) => m.id === 'prune_sensity')!;
    const loaded = readModelFile(path.join(ZOO, shipped.models.find((m) => m.id === 'baseline')!.file));
    const r = pruneChannels(loaded.model, { params: sensity.lineage.prunedParams!, ratios: sensity.lineage.ratios! }, loaded.source);
    expect(r.pruned.map((p) => p.param)).toEqual(sensity.lineage.prunedParams);
    expect(r.pruned.every((p) => !p.skippedBecause)).toBe(true);
    // The shipped prune_sensity (pruned by the Python pipeline) has the same weight shapes, in graph order.
    const shapes = (m: ReturnType<typeof readModelFile>['model']) => {
      const inits = new Map((m.graph!.initializer ?? []).map((t) => [t.name ?? '', t]));
      return (m.graph!.node ?? []).filter((n) => n.opType === 'Conv').map((n) => tensorDims(inits.get(n.input![1])!));
    };
    const pruned = readModelFile(path.join(ZOO, sensity.file)).model;
    expect(shapes(r.model)).toEqual(shapes(pruned));
    const total = (m: typeof pruned) => [...weightInitializers(m).values()].reduce((x, y) => x + y, 0);
    expect(total(r.model)).toBe(total(pruned));
  });
});
