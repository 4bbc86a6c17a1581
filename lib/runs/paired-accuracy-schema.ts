import { z } from 'zod';
import { SHA256_HEX } from '../artifacts/store';
import { ZPairedBootstrapResult } from '../metrics/paired-bootstrap';

/** The stored shapes of the worker's paired ΔAP (lib/runs/paired-accuracy.ts); no Node imports, for any reader. */

export const ZStoredDetections = z.object({
  format: z.literal('coco'),
  /** The `evaluate --save-dt` file in the artifact store. */
  sha256: z.string().regex(SHA256_HEX),
  /** sha256 of the ground-truth annotation file the detections were evaluated against. */
  gtSha256: z.string().regex(SHA256_HEX),
  count: z.number().int().min(0),
});
export type TStoredDetections = z.infer<typeof ZStoredDetections>;

/** What the candidate's evaluate result holds as `pairedAccuracy`. */
export const ZPairedAccuracy = z.object({
  baselineRunId: z.string(),
  baselineSlug: z.string(),
  /** The evaluate jobs whose detections were compared. */
  baselineJobId: z.string(),
  candidateJobId: z.string(),
  /** ΔAP, ΔAP50, ΔAP75 in AP units (0..1): candidate − baseline, with the percentile interval. */
  comparison: ZPairedBootstrapResult,
});
export type TPairedAccuracy = z.infer<typeof ZPairedAccuracy>;
