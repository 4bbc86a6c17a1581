import type { TExplorerEntry, TLatency, TMethod } from '../../lib/explorer/entry';
import { mulberry32 } from '../../lib/random/mulberry32';

/**
 * Deterministic synthetic zoo for the browser benchmark: `count` explorer entries on COCO, made of
 * models evaluated at 320/416/608 (so input-size curves and baseline arrows are drawn too), every
 * method present, a third of them "measured" with latency percentiles and raw samples.
 * Numbers are plausible (GFLOPs grow with input area, AP with GFLOPs) but invented: benchmark input only.
 */


const SIZES = [320, 416, 608] as const;
const METHODS: TMethod[] = ['prune', 'distill', 'prune_distill', 'quant', 'nas'];

export function syntheticEntries(count: number, seed = 7): TExplorerEntry[] {
  const rnd = mulberry32(seed);
  const round = (v: number, d: number) => Number(v.toFixed(d));
  const out: TExplorerEntry[] = [];
  let model = 0;
  let baselineId = '';
  let baseGflops608 = 0;
  let baseAp608 = 0;
  while (out.length < count) {
    const isBaseline = model % 6 === 0;
    const method: TMethod = isBaseline ? 'baseline' : METHODS[model % 5];
    const modelId = `synthetic-${String(model).padStart(4, '0')}`;
    if (isBaseline) {
      baselineId = modelId;
      baseGflops608 = 5 + rnd() * 60;
      baseAp608 = 22 + rnd() * 20;
    }
    const cut = isBaseline ? 0 : method === 'quant' ? 0 : 0.1 + rnd() * 0.6;
    const apDelta = isBaseline ? 0 : -3 + rnd() * 4;
    const measured = model % 3 === 1;
    const sizeMB = round((isBaseline ? 40 + rnd() * 150 : 20 + rnd() * 120) * (method === 'quant' ? 0.27 : 1), 2);
    for (const size of SIZES) {
      if (out.length >= count) break;
      const area = (size / 608) ** 2;
      const gflops = round(baseGflops608 * (1 - cut) * area, 2);
      const ap = round(baseAp608 + apDelta - (608 - size) / 100 + (rnd() - 0.5) * 0.4, 1);
      const latency: TLatency[] = [];
      if (measured) {
        const base = gflops * 2.1 + rnd() * 3;
        const samples = Array.from({ length: 40 }, () => round(base * (0.92 + rnd() * 0.25), 3));
        const sorted = [...samples].sort((a, b) => a - b);
        const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))];
        latency.push({
          device: 'cpu-2t',
          deviceLabel: 'CPU, 2 threads (onnxruntime-node)',
          source: 'measured',
          reportedMs: null,
          p50Ms: q(0.5),
          p90Ms: q(0.9),
          p99Ms: q(0.99),
          meanMs: round(samples.reduce((a, b) => a + b, 0) / samples.length, 3),
          samplesMs: samples,
          provenance: `measured: synthetic job ${model}`,
        });
      } else {
        latency.push({
          device: 'tesla-p4-trt',
          deviceLabel: 'Tesla P4 (TensorRT)',
          source: 'published',
          reportedMs: round(gflops * 0.8 + 2, 3),
          p50Ms: null,
          p90Ms: null,
          p99Ms: null,
          meanMs: null,
          samplesMs: [],
          provenance: 'reported: synthetic',
        });
      }
      out.push({
        modelId,
        name: `Synthetic ${method} #${model}`,
        family: 'YOLOv3',
        backbone: ['MobileNetV1', 'ResNet34', 'ResNet50-vd-dcn', 'DarkNet53'][model % 4],
        dataset: 'coco',
        method,
        strategy: isBaseline ? 'baseline' : ['sensity', 'r578', 'l2_distiil', 'split_distiil', 'aware'][model % 5],
        pretraining: 'ImageNet',
        teacher: method === 'distill' || method === 'prune_distill' ? { name: 'YOLOv3-ResNet34', accuracy: 36.2 } : null,
        strategyParams: method === 'prune' ? { prunedParams: ['yolo_block.0.0.0.conv.weights'], prunedRatios: [round(cut, 2)] } : null,
        source: measured ? 'measured' : 'published',
        provenance: measured ? `measured: synthetic job ${model}` : 'reported: synthetic',
        baselineModelId: isBaseline ? null : baselineId,
        inputSize: size,
        gflops,
        gflopsConvention: 'synthetic',
        paramsM: round(sizeMB / 4, 2),
        sizeMB,
        accuracy: { boxAp: ap },
        latency,
      });
    }
    model++;
  }
  return out;
}
