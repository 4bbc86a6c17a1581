import type { TExplorerEntry, TLatency } from '../entry';

/** Test fixtures: entries typed from the seed document (YOLOv3 on COCO, pruning table + latency table). */

export function makeEntry(partial: Partial<TExplorerEntry> & Pick<TExplorerEntry, 'modelId' | 'inputSize'>): TExplorerEntry {
  return {
    name: partial.modelId,
    family: 'YOLOv3',
    backbone: 'MobileNetV1',
    dataset: 'coco',
    method: 'baseline',
    strategy: 'baseline',
    pretraining: 'ImageNet',
    teacher: null,
    strategyParams: null,
    source: 'published',
    provenance: 'reported: PaddleDetection slim benchmark',
    baselineModelId: null,
    gflops: null,
    gflopsConvention: null,
    paramsM: null,
    sizeMB: null,
    accuracy: {},
    latency: [],
    ...partial,
  };
}

export function p4(reportedMs: number): TLatency {
  return {
    device: 'tesla-p4-trt',
    deviceLabel: 'Tesla P4 (TensorRT)',
    source: 'published',
    reportedMs,
    p50Ms: null,
    p90Ms: null,
    p99Ms: null,
    meanMs: null,
    samplesMs: [],
    provenance: 'reported: PaddleDetection slim benchmark',
  };
}

const mbv1 = (size: number, gflops: number, ap: number): TExplorerEntry =>
  makeEntry({ modelId: 'yolov3-mbv1-coco', inputSize: size, gflops, sizeMB: 94.6, accuracy: { boxAp: ap } });
const mbv1Sensity = (size: number, gflops: number, ap: number): TExplorerEntry =>
  makeEntry({
    modelId: 'yolov3-mbv1-coco-prune-sensity',
    inputSize: size,
    method: 'prune',
    strategy: 'sensity',
    baselineModelId: 'yolov3-mbv1-coco',
    gflops,
    sizeMB: 67.6,
    accuracy: { boxAp: ap },
  });
const mbv1R578 = (size: number, gflops: number, ap: number): TExplorerEntry =>
  makeEntry({
    modelId: 'yolov3-mbv1-coco-prune-r578',
    inputSize: size,
    method: 'prune',
    strategy: 'r578',
    baselineModelId: 'yolov3-mbv1-coco',
    gflops,
    sizeMB: 31.3,
    accuracy: { boxAp: ap },
  });

/** YOLOv3 on COCO, pruning table of the seed: 12 rows (R50vd-dcn at 608 with P4 latency; MobileNetV1 at 608/416/320). */
export const COCO_PRUNING: TExplorerEntry[] = [
  makeEntry({
    modelId: 'yolov3-r50vd-dcn-coco',
    inputSize: 608,
    backbone: 'ResNet50-vd-dcn',
    gflops: 44.71,
    sizeMB: 176.82,
    accuracy: { boxAp: 39.1 },
    latency: [p4(36.127)],
  }),
  makeEntry({
    modelId: 'yolov3-r50vd-dcn-coco-prune-sensity',
    inputSize: 608,
    backbone: 'ResNet50-vd-dcn',
    method: 'prune',
    strategy: 'sensity',
    baselineModelId: 'yolov3-r50vd-dcn-coco',
    gflops: 37.53,
    sizeMB: 149.49,
    accuracy: { boxAp: 39.8 },
    latency: [p4(33.245)],
  }),
  makeEntry({
    modelId: 'yolov3-r50vd-dcn-coco-prune-r578',
    inputSize: 608,
    backbone: 'ResNet50-vd-dcn',
    method: 'prune',
    strategy: 'r578',
    baselineModelId: 'yolov3-r50vd-dcn-coco',
    gflops: 29.98,
    sizeMB: 112.08,
    accuracy: { boxAp: 38.3 },
    latency: [p4(29.138)],
  }),
  mbv1(608, 20.64, 29.3),
  mbv1(416, 9.66, 29.3),
  mbv1(320, 5.72, 27.1),
  mbv1Sensity(608, 13.57, 30.2),
  mbv1Sensity(416, 6.35, 29.7),
  mbv1Sensity(320, 3.76, 27.2),
  mbv1R578(608, 6.27, 27.8),
  mbv1R578(416, 2.93, 26.8),
  mbv1R578(320, 1.74, 24.0),
];
