import type { TMetricKind } from './metrics';

/**
 * The canonical identity of a Measurement (unique per model): its scope (metric, input size, device,
 * evaluation dataset) and its origin (the source document, or the job that measured it).
 * `box_ap|size=608|device=-|dataset=coco|source=paddledetection-slim-benchmark`
 */
export function measurementKey(scope: {
  metric: TMetricKind;
  inputSize: number | null;
  deviceSlug: string | null;
  datasetSlug: string | null;
  origin: { sourceSlug: string } | { jobId: string };
}): string {
  const origin = 'sourceSlug' in scope.origin ? `source=${scope.origin.sourceSlug}` : `job=${scope.origin.jobId}`;
  return [
    scope.metric,
    `size=${scope.inputSize ?? '-'}`,
    `device=${scope.deviceSlug ?? '-'}`,
    `dataset=${scope.datasetSlug ?? '-'}`,
    origin,
  ].join('|');
}
