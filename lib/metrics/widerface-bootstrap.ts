/**
 * WIDER FACE easy / medium / hard AP (lib/metrics/widerface.ts) under image weights, and the paired bootstrap of
 * their deltas between two prediction sets on the same ground truth (docs/accuracy-intervals.md).
 *
 * The official evaluation adds each image's img_pr_info into pr_curve, so a multiset in which image i appears
 * w[i] times adds w[i] times its share. widerImageSteps computes each image's share once per model and setting
 * as steps over the 1000 thresholds; a resample adds w·Δ at each step into a difference array and takes prefix
 * sums (integer counts: exact in any order), then reads the AP as the reference. Weights all 1 give
 * evaluateWiderFace's numbers bit for bit (tested).
 *
 * One choice: the score normalisation (min/max over all predictions) is taken from the full prediction set and
 * kept for every resample, so a resample changes which images count, not how scores map to thresholds.
 */
import { pairedBootstrap, type TPairedBootstrapOptions, type TPairedBootstrapResult } from './paired-bootstrap';
import {
  WIDER_SETTINGS,
  WIDER_THRESH_NUM,
  widerImageSteps,
  widerScoreRange,
  widerSettingAp,
  widerThresholds,
  type WiderFaceGroundTruth,
  type WiderFacePredictions,
} from './widerface';

/** Steps of every image (flattened in event order, then image order) for each setting. */
export interface WiderFaceWeighting {
  I: number;
  settings: Array<{
    /** [I] faces of the image in this setting (its keep list length). */
    faces: Int32Array;
    /** [I+1] steps of image i are [stepStart[i], stepStart[i+1]). */
    stepStart: Int32Array;
    stepT: Int32Array;
    /** Increments of the image's proposals / recalled at each step (first step: from 0). */
    dProposals: Int32Array;
    dRecalled: Int32Array;
  }>;
}

/** Flattened image order used for weights: events in order, images in order within each. */
export function widerImageCount(gt: WiderFaceGroundTruth): number {
  return gt.events.reduce((s, e) => s + e.images.length, 0);
}

export function prepareWiderFaceWeighting(gt: WiderFaceGroundTruth, preds: WiderFacePredictions, iouThresh = 0.5): WiderFaceWeighting {
  const I = widerImageCount(gt);
  const thresh = widerThresholds();
  const range = widerScoreRange(preds);
  const settings = WIDER_SETTINGS.map((setting) => {
    const faces = new Int32Array(I);
    const stepStart = new Int32Array(I + 1);
    const t: number[] = [];
    const dp: number[] = [];
    const dr: number[] = [];
    let i = 0;
    for (const event of gt.events) {
      const eventPreds = preds.get(event.name);
      for (const image of event.images) {
        faces[i] = image[setting].length;
        const steps = widerImageSteps(image, eventPreds?.get(image.name), image[setting], range, thresh, iouThresh);
        let prevP = 0;
        let prevR = 0;
        for (let k = 0; k < steps.t.length; k++) {
          t.push(steps.t[k]);
          dp.push(steps.proposals[k] - prevP);
          dr.push(steps.recalled[k] - prevR);
          prevP = steps.proposals[k];
          prevR = steps.recalled[k];
        }
        stepStart[++i] = t.length;
      }
    }
    return { faces, stepStart, stepT: Int32Array.from(t), dProposals: Int32Array.from(dp), dRecalled: Int32Array.from(dr) };
  });
  return { I, settings };
}

export interface WiderFaceScratch {
  diffP: Float64Array;
  diffR: Float64Array;
}

export function createWiderFaceScratch(): WiderFaceScratch {
  return { diffP: new Float64Array(WIDER_THRESH_NUM), diffR: new Float64Array(WIDER_THRESH_NUM) };
}

/** [easy, medium, hard] of the image multiset with multiplicities `weights` [I] (null: every image once), into `out`. */
export function weightedWiderFaceAp(
  s: WiderFaceWeighting,
  weights: Int32Array | null,
  scratch: WiderFaceScratch,
  out: Float64Array,
): Float64Array {
  const TN = WIDER_THRESH_NUM;
  s.settings.forEach((st, k) => {
    const { diffP, diffR } = scratch;
    diffP.fill(0);
    diffR.fill(0);
    let countFace = 0;
    for (let i = 0; i < s.I; i++) {
      const w = weights ? weights[i] : 1;
      if (w === 0) continue;
      countFace += w * st.faces[i];
      for (let j = st.stepStart[i]; j < st.stepStart[i + 1]; j++) {
        diffP[st.stepT[j]] += w * st.dProposals[j];
        diffR[st.stepT[j]] += w * st.dRecalled[j];
      }
    }
    // prefix sums in place: the pr_curve columns
    for (let t = 1; t < TN; t++) {
      diffP[t] += diffP[t - 1];
      diffR[t] += diffR[t - 1];
    }
    out[k] = widerSettingAp(diffP, diffR, countFace);
  });
  return out;
}

/** Paired bootstrap over images of Δeasy, Δmedium, Δhard = candidate − baseline (same `gt`). */
export function widerFaceDeltaBootstrap(
  gt: WiderFaceGroundTruth,
  candidate: WiderFacePredictions,
  baseline: WiderFacePredictions,
  options: TPairedBootstrapOptions & { iouThresh?: number } = {},
): TPairedBootstrapResult {
  const { iouThresh, ...bootstrap } = options;
  const sc = prepareWiderFaceWeighting(gt, candidate, iouThresh);
  const sb = prepareWiderFaceWeighting(gt, baseline, iouThresh);
  const scratchC = createWiderFaceScratch();
  const scratchB = createWiderFaceScratch();
  const outC = new Float64Array(3);
  const outB = new Float64Array(3);
  return pairedBootstrap(
    sc.I,
    WIDER_SETTINGS,
    (w) => ({ candidate: weightedWiderFaceAp(sc, w, scratchC, outC), baseline: weightedWiderFaceAp(sb, w, scratchB, outB) }),
    bootstrap,
  );
}
