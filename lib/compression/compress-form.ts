import { formatZodIssues } from '../errors';
import { ZCompressRequest, type TCompressRequest } from './compress-request';

/**
 * The model page's compression form (app/models/[slug]/compress-form.tsx) as plain data: the text fields the user
 * edits, turned into a raw request and checked in the browser by the schema the server uses (ZCompressRequest).
 * No React here, so it is tested like any lib code.
 */

export interface TCompressDraft {
  method: 'quantize' | 'prune' | 'sensitivity' | 'prune-to-target';
  calibDataset: string;
  calibImages: string;
  calibration: string;
  /** Percentile calibration only; empty: the default. */
  percentile: string;
  /** Comma- or newline-separated node names kept in float. */
  exclude: string;
  /** One `param ratio` pair per line (prune). */
  pruneLines: string;
  /** Sensitivity: dataset key (empty: the run's), images, comma-separated ratios (empty: defaults). */
  sensDataset: string;
  sensImages: string;
  sensRatios: string;
  /** Sensitivity: conv weight names to analyse, comma- or newline-separated (empty: every prunable conv). */
  sensParams: string;
  /** Prune-to-target: the GFLOPs reduction in percent (e.g. "35") and the ratio rule. */
  flopsTargetPct: string;
  rule: string;
  /** Empty: the source run's first input size. */
  inputSize: string;
  /** Empty: derived from the source. */
  name: string;
}

/** A dataset to calibrate on by default: not the evaluation dataset; one named like it with "train" first. */
export function defaultCalibrationDataset(datasets: ReadonlyArray<{ slug: string }>, evaluation: string): string {
  const others = datasets.map((d) => d.slug).filter((s) => s.toLowerCase() !== evaluation.toLowerCase());
  return others.find((s) => s.startsWith(evaluation) && /train/i.test(s)) ?? others.find((s) => /train/i.test(s)) ?? others[0] ?? '';
}

export function emptyCompressDraft(o: { calibDataset: string }): TCompressDraft {
  return {
    method: 'quantize',
    calibDataset: o.calibDataset,
    calibImages: '100',
    calibration: 'minmax',
    percentile: '',
    exclude: '',
    pruneLines: '',
    sensDataset: '',
    sensImages: '40',
    sensRatios: '0.3, 0.5, 0.7',
    sensParams: '',
    flopsTargetPct: '35',
    rule: 'paddleslim',
    inputSize: '',
    name: '',
  };
}

/** A number field: the number when the text reads as one, else the text (so the schema names the field). */
function numberField(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

function listField(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `param ratio` lines -> params and ratios (a line without a ratio gives the text, which the schema refuses). */
export function parsePruneLines(text: string): { params: string[]; ratios: Array<number | string> } {
  const params: string[] = [];
  const ratios: Array<number | string> = [];
  for (const line of text.split('\n')) {
    const parts = line
      .trim()
      .split(/[\s,=:]+/)
      .filter(Boolean);
    if (parts.length === 0) continue;
    params.push(parts[0]);
    ratios.push(numberField(parts[1] ?? '') ?? '');
  }
  return { params, ratios };
}

/** The raw request the draft describes (undefined fields left out, so the schema's defaults apply). */
export function draftToRequest(d: TCompressDraft): Record<string, unknown> {
  const common = { method: d.method, inputSize: numberField(d.inputSize), name: d.name.trim() || undefined };
  const pct = numberField(d.flopsTargetPct);
  const raw: Record<string, unknown> =
    d.method === 'prune'
      ? { ...common, ...parsePruneLines(d.pruneLines) }
      : d.method === 'sensitivity'
        ? {
            method: d.method,
            inputSize: common.inputSize,
            dataset: d.sensDataset.trim() || undefined,
            images: numberField(d.sensImages),
            ratios: d.sensRatios.trim() ? listField(d.sensRatios).map((r) => numberField(r) ?? r) : undefined,
            params: d.sensParams.trim() ? listField(d.sensParams) : undefined,
          }
        : d.method === 'prune-to-target'
          ? { ...common, flopsTarget: typeof pct === 'number' ? pct / 100 : pct, rule: d.rule }
          : {
              ...common,
              calibDataset: d.calibDataset.trim(),
              calibImages: numberField(d.calibImages),
              calibration: d.calibration,
              percentile: d.calibration === 'percentile' ? numberField(d.percentile) : undefined,
              exclude: listField(d.exclude),
            };
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
}

/** Check the draft with the server's schema: the request, or one line naming each bad field. */
export function checkCompressDraft(d: TCompressDraft): { ok: true; request: TCompressRequest } | { ok: false; message: string } {
  const parsed = ZCompressRequest.safeParse(draftToRequest(d));
  return parsed.success ? { ok: true, request: parsed.data } : { ok: false, message: `request: ${formatZodIssues(parsed.error.issues)}` };
}
