/**
 * The demo baseline of 2026-11-29 in its two files, for the tests of renaming (tools/demo-zoo/rename-initializers.ts)
 * and of moving a run to a file that `supersedes` another (lib/runs/replace-run-file.ts), now that the shipped zoo
 * is a later export whose names come from the export itself:
 *   - baseline-anonymous-initializers.onnx: the file as exported (BatchNorm folded, `onnx::Conv_950`, ...);
 *   - manifest-renamed-baseline.json: the manifest that shipped the renamed file (sha256 43ef713c...), whose
 *     baseline entry `supersedes` the anonymous one;
 *   - the renamed file itself is not stored: `writeRenamedBaseline` makes it from the anonymous one with the
 *     rename tool, and checks that it is byte for byte the file that manifest describes.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renameDemoInitializers } from '../../../tools/demo-zoo/rename-initializers';
import { ZDemoZooManifest, type TDemoZooManifest, type TDemoZooModel } from '../manifest';

const HERE = path.dirname(new URL(import.meta.url).pathname);
export const FORMER_BASELINE_FILE = path.join(HERE, 'baseline-anonymous-initializers.onnx');
export const RENAMED_MANIFEST_FILE = path.join(HERE, 'manifest-renamed-baseline.json');

export function renamedManifest(): TDemoZooManifest {
  return ZDemoZooManifest.parse(JSON.parse(readFileSync(RENAMED_MANIFEST_FILE, 'utf8')));
}

export function renamedBaselineEntry(): TDemoZooModel {
  return renamedManifest().models.find((m) => m.id === 'baseline')!;
}

/**
 * Write into `dir` a one-model zoo: the anonymous file under the baseline's file name and a manifest whose baseline
 * entry is the pre-rename one (former sha256, size and names, no supersedes). Returns the manifest written.
 */
export function writeFormerZoo(dir: string): Record<string, unknown> {
  const manifest = JSON.parse(readFileSync(RENAMED_MANIFEST_FILE, 'utf8')) as { models: Array<Record<string, unknown>> };
  const entry = manifest.models.find((m) => m.id === 'baseline')!;
  const former = (entry.supersedes as Array<{ sha256: string; bytes: number; paramNames: Record<string, string> }>)[0];
  delete entry.supersedes;
  Object.assign(entry, { sha256: former.sha256, bytes: former.bytes, paramNames: former.paramNames });
  manifest.models = [entry];
  copyFileSync(FORMER_BASELINE_FILE, path.join(dir, entry.file as string));
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** The renamed baseline, made in `dir` by the rename tool from the anonymous file; returns its path. */
export async function writeRenamedBaseline(dir: string): Promise<string> {
  writeFormerZoo(dir);
  await renameDemoInitializers({ zooDir: dir });
  const entry = renamedBaselineEntry();
  const file = path.join(dir, entry.file);
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  if (sha256 !== entry.sha256) throw new Error(`${file}: sha256 ${sha256}, ${RENAMED_MANIFEST_FILE} says ${entry.sha256}`);
  return file;
}
