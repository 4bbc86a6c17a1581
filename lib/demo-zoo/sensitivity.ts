/**
 * The demo zoo's pruning sensitivity analysis, lib/demo-zoo/models/sensitivity.json (written by
 * tools/demo-zoo/slimzoo/stage_prune.py `sensitivity`): the AP loss of the baseline with one head convolution
 * pruned at a time, at each ratio. The `sensity` model's ratios were chosen from it (stage_prune.py `prune`:
 * per parameter the largest ratio whose loss stays under a threshold bisected for -35% GFLOPs), so
 * registration stores it in that model's run metadata under `sensitivityAnalysis`, with its source (file,
 * sha256) and the selection (loss threshold, target) from the manifest's lineage; the model page charts it.
 *
 * The file is optional (absent: nothing to store). A malformed file, or one that names no model of the
 * manifest, is one problem line naming the file and field; the models are registered all the same and a
 * previously stored analysis stays as it was.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { SlimboardError, isSlimboardError } from '../errors';
import { parseSensitivityAnalysis, type TSensitivityAnalysis } from '../zoo/sensitivity-analysis';
import type { TDemoZooManifest, TDemoZooModel } from './manifest';
import { storeRunSensitivity } from '../compression/sensitivity-store';

/** The analysis' file name in the demo zoo's folder. */
export const DEMO_SENSITIVITY_FILE = 'sensitivity.json';
/** The pruning strategy whose ratios come from the analysis (PaddleSlim's name, as the seed). */
export const SENSITY_STRATEGY = 'sensity';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface DemoSensitivityReport {
  /** The file as named in messages. */
  file: string;
  sha256: string | null;
  /**
   * absent: no file. stored: written into the run(s) now. unchanged: the run(s) already held exactly this.
   * skipped: the sensity model has no accepted run (its own problem is reported). refused: see `problem`.
   */
  status: 'absent' | 'stored' | 'unchanged' | 'skipped' | 'refused';
  /** Manifest ids of the models it was stored with. */
  models: string[];
  runIds: string[];
  problem: string | null;
}

/** Read and validate the analysis; null when the file does not exist. Errors name `label` and the field. */
export async function readDemoSensitivity(file: string, label = file): Promise<{ analysis: TSensitivityAnalysis; sha256: string } | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SlimboardError('bad_demo_zoo', `${label}: cannot read: ${(e as Error).message.split('\n')[0]}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new SlimboardError('bad_demo_zoo', `${label}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const analysis = parseSensitivityAnalysis(raw, label);
  return { analysis, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * The manifest models whose ratios were chosen from the analysis: strategy `sensity`, pruned from the
 * analysed model (`analysis.model`, a manifest id). Errors name the file and field.
 */
export function demoSensitivityTargets(manifest: TDemoZooManifest, analysis: TSensitivityAnalysis, label: string): TDemoZooModel[] {
  if (!manifest.models.some((m) => m.id === analysis.model)) {
    throw new SlimboardError(
      'bad_demo_zoo',
      `${label}: model: "${analysis.model}" is not a model of the manifest (${manifest.models.map((m) => m.id).join(', ')})`,
    );
  }
  const sensity = manifest.models.filter((m) => m.lineage.strategy === SENSITY_STRATEGY);
  if (sensity.length === 0)
    throw new SlimboardError('bad_demo_zoo', `${label}: the manifest has no model with strategy "${SENSITY_STRATEGY}" to store it with`);
  const targets = sensity.filter((m) => (m.lineage.parent ?? m.lineage.baseline) === analysis.model);
  if (targets.length === 0) {
    const m = sensity[0];
    throw new SlimboardError(
      'bad_demo_zoo',
      `${label}: model: "${analysis.model}", but the ${SENSITY_STRATEGY} model "${m.id}" was pruned from ` +
        `"${m.lineage.parent ?? m.lineage.baseline}"`,
    );
  }
  return targets;
}

/**
 * What is stored with `target`: the analysis, its source, and how the target's ratios were chosen
 * (lineage.lossThreshold, lineage.targetReduction and lineage.ratioRule of the manifest, when it states them).
 */
export function demoSensitivityRecord(
  analysis: TSensitivityAnalysis,
  target: TDemoZooModel,
  source: { file: string; sha256: string; origin: string },
  label: string,
): TSensitivityAnalysis {
  const l = target.lineage as Record<string, unknown>;
  const selection =
    typeof l.lossThreshold === 'number'
      ? {
          lossThreshold: l.lossThreshold,
          ...(typeof l.targetReduction === 'number' ? { targetGflopsReduction: l.targetReduction } : {}),
          ...(l.ratioRule === 'paddleslim' || l.ratioRule === 'with-origin' ? { rule: l.ratioRule } : {}),
        }
      : undefined;
  return parseSensitivityAnalysis(
    { ...analysis, source, ...(selection ? { selection } : {}) },
    `${label} (with manifest model "${target.id}")`,
  );
}

/** The path shown and stored: relative to the working directory when inside it (`lib/demo-zoo/models/sensitivity.json`). */
function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export interface ImportDemoSensitivityOptions {
  zooDir: string;
  manifest: TDemoZooManifest;
  /** The registration's outcome per manifest model: which run measures it (refused models are skipped). */
  models: ReadonlyArray<{ id: string; status: string; runId: string | null }>;
  /** One line: where the models come from (stored as the analysis' origin). */
  origin: string;
}

/** Read, check and store the analysis; never throws: a problem is returned as one line. */
export async function importDemoSensitivity(db: Queryable, o: ImportDemoSensitivityOptions): Promise<DemoSensitivityReport> {
  const file = path.join(o.zooDir, DEMO_SENSITIVITY_FILE);
  const label = displayPath(path.resolve(file));
  const report: DemoSensitivityReport = { file: label, sha256: null, status: 'absent', models: [], runIds: [], problem: null };
  try {
    const read = await readDemoSensitivity(file, label);
    if (!read) return report;
    report.sha256 = read.sha256;
    const targets = demoSensitivityTargets(o.manifest, read.analysis, label);
    const outcomes: Array<'stored' | 'unchanged'> = [];
    for (const t of targets) {
      const run = o.models.find((m) => m.id === t.id);
      if (!run?.runId || run.status === 'refused') continue;
      const record = demoSensitivityRecord(read.analysis, t, { file: label, sha256: read.sha256, origin: o.origin }, label);
      outcomes.push(await storeRunSensitivity(db, run.runId, record));
      report.models.push(t.id);
      report.runIds.push(run.runId);
    }
    report.status = outcomes.length === 0 ? 'skipped' : outcomes.includes('stored') ? 'stored' : 'unchanged';
  } catch (e) {
    report.status = 'refused';
    report.problem = isSlimboardError(e) ? e.message : `${label}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`;
  }
  return report;
}
