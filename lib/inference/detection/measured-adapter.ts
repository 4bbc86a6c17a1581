/**
 * The adapter that measured an accuracy number, as stored with the number (MeasuredResult.metrics.measuredAdapter
 * of the evaluate job) and shown beside it (model page, exports):
 * - `declared`: the run's metadata gave it;
 * - `inherited`: the metadata gave none and the run uses the one an earlier run of the same bytes declared (`fromRunId`);
 * - `auto-detected`: nobody declared one; `detectAdapter` recognised the layout (`detected` says what it found).
 * `adapter` is the resolved adapter that fed the model and decoded its outputs (defaults filled in).
 */
import { z } from 'zod';
import { IMAGENET_MEAN, IMAGENET_STD, ZModelAdapter, type TModelAdapter } from './model-adapter';

export const ADAPTER_ORIGINS = ['declared', 'inherited', 'auto-detected'] as const;
export type TAdapterOrigin = (typeof ADAPTER_ORIGINS)[number];

export const ZMeasuredAdapter = z.object({
  origin: z.enum(ADAPTER_ORIGINS),
  /** inherited: the run whose declared adapter this is. */
  fromRunId: z.string().optional(),
  /** auto-detected: what was recognised in the model's inputs and outputs. */
  detected: z.string().optional(),
  adapter: ZModelAdapter,
});
export type TMeasuredAdapter = z.infer<typeof ZMeasuredAdapter>;

const near = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) < 1e-9);

/** Normalisation in words: `/255`, `/255, ImageNet mean/std`, or the numbers. */
export function describeNormalisation(p: TModelAdapter['preprocess']): string {
  const scale = Math.abs(p.scale - 1 / 255) < 1e-12 ? '/255' : `×${p.scale}`;
  if (near(p.mean, [0, 0, 0]) && near(p.std, [1, 1, 1])) return scale;
  if (near(p.mean, IMAGENET_MEAN) && near(p.std, IMAGENET_STD)) return `${scale}, ImageNet mean/std`;
  return `${scale}, mean [${p.mean.join(', ')}], std [${p.std.join(', ')}]`;
}

/** Output decoding in words, e.g. `yolo, 3 heads (strides 32/16/8), conf ≥ 0.005`. */
export function describeDecoding(o: TModelAdapter['output']): string {
  if (o.kind === 'yolo') {
    const heads = `${o.heads.length} head${o.heads.length === 1 ? '' : 's'}`;
    return `yolo, ${heads} (strides ${o.heads.map((h) => h.stride).join('/')}), conf ≥ ${o.confThreshold}`;
  }
  if (o.kind === 'paddle-nms') return 'paddle-nms (NMS inside the model)';
  return `decoded ${o.boxFormat} boxes (${o.boxCoordinates}), scores ${o.scoreActivation === 'none' ? 'as given' : o.scoreActivation}`;
}

/**
 * One line naming every setting that changes an accuracy number: resize mode and kernel, normalisation,
 * channel order (layout is always NCHW), decoding and thresholds. E.g.
 * `stretch, cubic · /255, ImageNet mean/std · RGB NCHW · yolo, 3 heads (strides 32/16/8), conf ≥ 0.005 ·
 * score ≥ 0.01, NMS IoU 0.45, top 100`.
 */
export function describeAdapter(a: TModelAdapter): string {
  const p = a.preprocess;
  const resize =
    p.resize === 'letterbox'
      ? `letterbox (pad ${p.padValue}), ${p.interpolation}${p.interpolation === 'linear' && p.antialias ? ' antialiased' : ''}`
      : `stretch, ${p.interpolation}${p.interpolation === 'linear' && p.antialias ? ' antialiased' : ''}`;
  const post = a.output.kind === 'paddle-nms'
    ? `top ${a.postprocess.maxDetections}`
    : `score ≥ ${a.postprocess.scoreThreshold}, NMS IoU ${a.postprocess.nmsIouThreshold}, top ${a.postprocess.maxDetections}`;
  return [resize, describeNormalisation(p), `${p.channelOrder.toUpperCase()} NCHW`, describeDecoding(a.output), post].join(' · ');
}

/** The short label shown beside a number: `declared`, `inherited from run 1a2b3c4d`, `auto-detected: yolo, 3 heads …`. */
export function adapterOriginLabel(m: TMeasuredAdapter): string {
  if (m.origin === 'inherited') return `inherited from run ${m.fromRunId ? m.fromRunId.slice(0, 8) : 'unknown'} of the same bytes`;
  if (m.origin === 'auto-detected') return `auto-detected: ${m.detected ?? describeDecoding(m.adapter.output)}`;
  return 'declared';
}

/** What the evaluate job stores: origin from the run, the resolved adapter from the evaluation. */
export function measuredAdapterOf(
  run: { declaredAdapter: boolean; adapterFromRunId: string | null },
  resolved: TModelAdapter,
): TMeasuredAdapter {
  if (!run.declaredAdapter) return { origin: 'auto-detected', detected: describeDecoding(resolved.output), adapter: resolved };
  if (run.adapterFromRunId) return { origin: 'inherited', fromRunId: run.adapterFromRunId, adapter: resolved };
  return { origin: 'declared', adapter: resolved };
}

/** Read the stored record back; null when absent (numbers measured before adapters were stored) or malformed. */
export function readMeasuredAdapter(stored: unknown): TMeasuredAdapter | null {
  const r = ZMeasuredAdapter.safeParse(stored);
  return r.success ? r.data : null;
}
