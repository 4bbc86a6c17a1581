import { z } from 'zod';
import { SHA256_HEX } from '../artifacts/store';
import { ZPairedBootstrapResult } from '../metrics/paired-bootstrap';

/** The stored shapes of the worker's paired ΔAP (lib/runs/paired-accuracy.ts); no Node imports, for any reader. */

export const ZStoredDetections = z
  .object({
    /** The evaluator that read them: COCO results rows, VOC rows, or WIDER FACE {event: {image: rows}}. */
    format: z.enum(['coco', 'voc', 'widerface']),
    /** The `evaluate --save-dt` file in the artifact store. */
    sha256: z.string().regex(SHA256_HEX),
    /**
     * sha256 of the ground truth the detections were evaluated against. COCO: the annotation file's bytes. VOC and
     * WIDER FACE (read from many files): the ground truth as the evaluator parsed it, as JSON (lib/runs/paired-accuracy.ts).
     */
    gtSha256: z.string().regex(SHA256_HEX),
    count: z.number().int().min(0),
    /** VOC only: the AP convention the mAP used (the worker evaluates with `11point`, the seed's). */
    vocApType: z.enum(['11point', 'integral']).optional(),
  })
  .refine((d) => (d.format === 'voc') === (d.vocApType !== undefined), {
    message: 'vocApType is given for VOC detections and only for them',
    path: ['vocApType'],
  });
export type TStoredDetections = z.infer<typeof ZStoredDetections>;

/** What the candidate's evaluate result holds as `pairedAccuracy`. */
export const ZPairedAccuracy = z.object({
  baselineRunId: z.string(),
  baselineSlug: z.string(),
  /** The evaluate jobs whose detections were compared. */
  baselineJobId: z.string(),
  candidateJobId: z.string(),
  /**
   * candidate − baseline in AP units (0..1), with the percentile interval: COCO `AP`, `AP50`, `AP75`; VOC `mAP`;
   * WIDER FACE `easy`, `medium`, `hard`.
   */
  comparison: ZPairedBootstrapResult,
});
export type TPairedAccuracy = z.infer<typeof ZPairedAccuracy>;
