import { z } from 'zod';
import { ZMetricKind } from './metrics';
import { ZMethod } from './seed-schema';

/**
 * ZZooRow: one row of a zoo table, the single shape shared by the zoo pages, GET /api/zoo, the CSV/JSON
 * exports and `slimboard zoo export`. Build rows with `listZooRows` (lib/zoo/list-zoo-rows.ts); never
 * assemble them by hand. Consumers (e.g. the explorer) read the typed fields below.
 *
 * - A row is one model at one input size inside one section (the same model appears in several
 *   sections, e.g. a baseline in four tables).
 * - `cells` holds every number the model has at this input size for the row's provenance, keyed by
 *   column id: `gflops`, `modelSizeMb`, `boxAp`, `vocMap`, `widerEasy`, `widerMedium`, `widerHard`,
 *   `latency:<device slug>` (`latency:tesla-p4-trt`, `latency:kirin-970`, `latency:snapdragon-835`,
 *   `latency:snapdragon-855`). The section's `columns` say which of them the source table printed.
 * - Accuracy is in percentage points (39.1 means 39.1 AP); costs carry their unit in the metric.
 * - Deltas are against the model's declared baseline at the same scope (metric, input size, device,
 *   dataset, provenance). A published delta is shown as printed when it is consistent with its two numbers'
 *   rounding, and computed otherwise (`delta.origin`, `delta.check`). `delta === null` with `comparable === true`
 *   means the baseline lacks that number (printed `(-)`); `comparable === false` means the model is a baseline itself.
 */

export const ZProvenance = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('reported'),
    sourceSlug: z.string(),
    sourceTitle: z.string(),
    sourceUrl: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('measured'),
    /** The job that measured it. */
    jobId: z.string(),
    /** Device slug the job ran on (null for device-independent numbers). */
    deviceSlug: z.string().nullable(),
  }),
]);
export type TProvenance = z.infer<typeof ZProvenance>;

export const ZDelta = z.object({
  /** absolute: points (accuracy); relative: percent of the baseline (costs). */
  kind: z.enum(['absolute', 'relative']),
  value: z.number(),
  decimals: z.number().int().min(0),
  verdict: z.enum(['better', 'worse', 'same']),
  /** As printed: `-16.06%`, `+0.7`. */
  text: z.string(),
  /**
   * Where the shown delta comes from (lib/zoo/published-deltas.ts):
   * - `published`: the source's printed delta, consistent with the rounding of its two numbers;
   * - `computed`: computed by Slimboard from the two numbers as printed (no printed delta, or the printed one
   *   is inconsistent: see `check`);
   * - `computed_unrounded`: computed by Slimboard from unrounded values (measured numbers).
   */
  origin: z.enum(['published', 'computed', 'computed_unrounded']),
  /** For a delta the source prints: whether it lies in the interval the two printed numbers allow. */
  check: z
    .object({
      /** The source's delta as printed. */
      printed: z.string(),
      /** Inside the interval rounded outward to the printed decimals (lib/zoo/delta-interval.ts). */
      consistent: z.boolean(),
      /** Reachable by rounding to nearest (false: only by truncation, e.g. -66.90 % for 31.30 vs 94.60 MB). */
      nearest: z.boolean(),
      /** The interval at the printed delta's decimals (`[-69.59, -69.52] %`); null when undefined (zero baseline). */
      interval: z.object({ low: z.number(), high: z.number(), decimals: z.number().int().min(0), text: z.string() }).nullable(),
    })
    .nullable(),
});
export type TDeltaView = z.infer<typeof ZDelta>;

export const ZCell = z.object({
  metric: ZMetricKind,
  value: z.number(),
  /** Decimals the number is printed with (as reported, or the metric's default for measured numbers). */
  decimals: z.number().int().min(0),
  /** Null for numbers that do not depend on the input size (model size). */
  inputSize: z.number().int().nullable(),
  deviceSlug: z.string().nullable(),
  /** False when the model is a baseline (nothing to compare with). */
  comparable: z.boolean(),
  /** The baseline's number at the same scope, when it has one. */
  baseline: z.object({ modelSlug: z.string(), value: z.number(), decimals: z.number().int() }).nullable(),
  delta: ZDelta.nullable(),
  /** The seed's cell text: `37.53(-16.06%)`, `39.8(+0.7)`, `37.5(-)`, `44.71`. */
  text: z.string(),
  provenance: ZProvenance,
  /**
   * Measured latency with a paired benchmark against the baseline (lib/zoo/paired-latency-view.ts): the ratio
   * candidate/baseline with its 95 % interval; shown instead of `delta`, coloured only when significant and trusted.
   * Absent for published numbers (their source gives no samples) and unpaired measurements.
   */
  paired: z
    .object({
      ratio: z.number(),
      low: z.number(),
      high: z.number(),
      text: z.string(),
      verdict: z.enum(['better', 'worse', 'neutral']),
      title: z.string(),
      significant: z.boolean(),
      trusted: z.boolean(),
    })
    .optional(),
  /**
   * Measured accuracy with a paired bootstrap over images against the baseline's evaluation on the same dataset
   * and input size (lib/runs/paired-accuracy.ts): ΔAP in points with its 95 % interval, `ΔAP −0.4 [−0.9, +0.1]`;
   * coloured only when significant. Absent for published numbers and when the baseline was not evaluated.
   */
  /**
   * A measured latency whose benchmark ran on a machine the noise guard flagged busy (lib/zoo/machine-load-view.ts):
   * the reasons and a hover text. Absent for quiet or published numbers.
   */
  busy: z.object({ reasons: z.array(z.string()), title: z.string() }).optional(),
  pairedAccuracy: z
    .object({
      delta: z.number(),
      low: z.number(),
      high: z.number(),
      text: z.string(),
      verdict: z.enum(['better', 'worse', 'neutral']),
      title: z.string(),
      significant: z.boolean(),
    })
    .optional(),
});
export type TCell = z.infer<typeof ZCell>;

/**
 * COCO detail statistics of a measured evaluation (the evaluator's AP50, AP75, APs, APm, APl, as
 * lib/metrics/coco.ts summarises them), in percentage points like Box AP; null where COCO prints -1
 * (no ground truth of that size).
 */
export const ZCocoDetail = z.object({
  ap50: z.number().nullable(),
  ap75: z.number().nullable(),
  apSmall: z.number().nullable(),
  apMedium: z.number().nullable(),
  apLarge: z.number().nullable(),
  /** The job whose result they come from. */
  jobId: z.string(),
});
export type TCocoDetail = z.infer<typeof ZCocoDetail>;

/** The registration behind a measured model (upload form, POST /api/runs, `submit`, demo zoo). */
export const ZRunInfo = z.object({
  id: z.string(),
  state: z.enum(['receiving', 'queued', 'running', 'done', 'failed']),
  door: z.enum(['web', 'api', 'cli']),
  /** Who submitted it: the run's owner (its token's owner, `local` or `submit --owner` for the local CLI), or `demo zoo`. */
  submitter: z.string(),
  /** Jobs of the run: finished, in all, failed for good (a run still being measured shows done < total). */
  jobsDone: z.number().int(),
  jobsTotal: z.number().int(),
  jobsFailed: z.number().int(),
});
export type TRunInfo = z.infer<typeof ZRunInfo>;

export const ZZooRow = z.object({
  /** `<section slug>/<position>`, stable across imports. */
  id: z.string(),
  section: z.object({
    slug: z.string(),
    title: z.string(),
    /** The heading as printed in the source. */
    sourceTitle: z.string().nullable(),
    position: z.number().int(),
    columns: z.array(z.string()),
  }),
  /** 1-based row position inside the section, as in the source. */
  position: z.number().int(),
  /** Provenance of the row's numbers. */
  source: z.enum(['reported', 'measured']),
  model: z.object({
    slug: z.string(),
    name: z.string(),
    family: z.string(),
    backbone: z.string(),
    backboneSlug: z.string(),
    dataset: z.string(),
    datasetSlug: z.string(),
    pretraining: z.string().nullable(),
    method: ZMethod,
    /** Strategy slug (`r578`, `sensity`, ...); null for baselines. */
    strategy: z.string().nullable(),
    baselineSlug: z.string().nullable(),
    parentSlug: z.string().nullable(),
  }),
  inputSize: z.number().int(),
  teacher: z
    .object({
      slug: z.string(),
      name: z.string(),
      /** The teacher's accuracy at the row's input size, when known. */
      accuracy: ZCell.nullable(),
      /** As printed: `YOLOv3-ResNet34(36.2)`. */
      text: z.string(),
    })
    .nullable(),
  cells: z.record(z.string(), ZCell),
  /** Published download (external URL) or a stored file served by `/api/artifacts/<sha256>` (sha256 given). */
  download: z.object({ url: z.string(), fileName: z.string(), sha256: z.string().nullable().optional() }).nullable(),
  /** COCO AP50/AP75/APs/APm/APl of the model's measured evaluation at this input size (measured rows only). */
  cocoDetail: ZCocoDetail.nullable().optional(),
  /**
   * The adapter that measured the row's accuracy (measured rows only; lib/inference/detection/measured-adapter.ts):
   * origin, a label (`declared`, `inherited from run …`, `auto-detected: …`) and every setting in one line.
   */
  measuredAdapter: z
    .object({ origin: z.enum(['declared', 'inherited', 'auto-detected']), label: z.string(), summary: z.string(), jobId: z.string() })
    .nullable()
    .optional(),
  /** The run that registered the model (measured models only). */
  run: ZRunInfo.nullable().optional(),
});
export type TZooRow = z.infer<typeof ZZooRow>;
