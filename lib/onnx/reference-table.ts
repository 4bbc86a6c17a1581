/**
 * Recomputes the GFLOPs and size columns of PaddleDetection's slim benchmark from the reference graphs
 * (built here, pruned here, counted under the `paddleslim` convention) and sets them beside the
 * published values. `npx tsx lib/onnx/reference-table.ts` prints the Markdown table used in the README.
 * The published numbers below are copied from shared/reference/paddledetection-slim-benchmark.md;
 * everything in the "computed" columns comes from the code.
 */
import { pruneChannels } from './channel-prune';
import { countCompute, weightInitializers } from './compute-count';
import { encodeModel } from './model-file';
import type { ModelProto } from './proto';
import { inferShapes } from './shape-inference';
import { buildYoloV3, RATIOS_R578, RATIOS_SENSITY, YOLO_HEAD_PRUNED_PARAMS, type Backbone } from './yolov3';

type Strategy = 'baseline' | 'r578' | 'sensity';

export interface PublishedRow {
  backbone: Backbone;
  dataset: 'COCO' | 'VOC';
  strategy: Strategy;
  inputSize: number;
  gflops: number;
  /** Published FLOPs reduction in percent (negative), for pruned rows. */
  reductionPercent?: number;
  /** Published model size ("模型体积(MB)"). */
  sizeMB: number;
}

export const PUBLISHED_ROWS: readonly PublishedRow[] = [
  { backbone: 'resnet50_vd_dcn', dataset: 'COCO', strategy: 'baseline', inputSize: 608, gflops: 44.71, sizeMB: 176.82 },
  {
    backbone: 'resnet50_vd_dcn',
    dataset: 'COCO',
    strategy: 'sensity',
    inputSize: 608,
    gflops: 37.53,
    reductionPercent: -16.06,
    sizeMB: 149.49,
  },
  {
    backbone: 'resnet50_vd_dcn',
    dataset: 'COCO',
    strategy: 'r578',
    inputSize: 608,
    gflops: 29.98,
    reductionPercent: -32.94,
    sizeMB: 112.08,
  },
  ...([608, 416, 320] as const).flatMap((s, i) => [
    {
      backbone: 'mobilenet_v1' as const,
      dataset: 'COCO' as const,
      strategy: 'baseline' as const,
      inputSize: s,
      gflops: [20.64, 9.66, 5.72][i],
      sizeMB: 94.6,
    },
    {
      backbone: 'mobilenet_v1' as const,
      dataset: 'COCO' as const,
      strategy: 'sensity' as const,
      inputSize: s,
      gflops: [13.57, 6.35, 3.76][i],
      reductionPercent: -34.27,
      sizeMB: 67.6,
    },
    {
      backbone: 'mobilenet_v1' as const,
      dataset: 'COCO' as const,
      strategy: 'r578' as const,
      inputSize: s,
      gflops: [6.27, 2.93, 1.74][i],
      reductionPercent: -69.64,
      sizeMB: 31.3,
    },
    {
      backbone: 'mobilenet_v1' as const,
      dataset: 'VOC' as const,
      strategy: 'baseline' as const,
      inputSize: s,
      gflops: [20.2, 9.46, 5.6][i],
      sizeMB: 93.37,
    },
    {
      backbone: 'mobilenet_v1' as const,
      dataset: 'VOC' as const,
      strategy: 'sensity' as const,
      inputSize: s,
      gflops: [13.22, 6.19, 3.66][i],
      reductionPercent: -34.55,
      sizeMB: 66.53,
    },
    {
      backbone: 'mobilenet_v1' as const,
      dataset: 'VOC' as const,
      strategy: 'r578' as const,
      inputSize: s,
      gflops: [6.15, 2.88, 1.7][i],
      reductionPercent: -69.57,
      sizeMB: 30.81,
    },
  ]),
];

export interface ComputedRow extends PublishedRow {
  computedGflops: number;
  computedReductionPercent?: number;
  params: number;
  /** Bytes of the ONNX file (fp32 weights, no external data). */
  onnxBytes: number;
}

/** Builds, prunes and counts every graph of PUBLISHED_ROWS (about a minute on 2 cores). */
export function computeReferenceTable(): ComputedRow[] {
  const cache = new Map<string, { model: ModelProto; bytes: number }>();
  const get = (backbone: Backbone, dataset: 'COCO' | 'VOC', strategy: Strategy) => {
    const key = `${backbone}/${dataset}/${strategy}`;
    let hit = cache.get(key);
    if (!hit) {
      let model: ModelProto;
      if (strategy === 'baseline') model = buildYoloV3({ backbone, numClasses: dataset === 'COCO' ? 80 : 20 });
      else {
        const ratios = strategy === 'r578' ? RATIOS_R578 : RATIOS_SENSITY;
        model = pruneChannels(get(backbone, dataset, 'baseline').model, { params: YOLO_HEAD_PRUNED_PARAMS, ratios }).model;
      }
      hit = { model, bytes: encodeModel(model).length };
      cache.set(key, hit);
    }
    return hit;
  };
  const g = (m: ModelProto, s: number) => countCompute(m, inferShapes(m, { inputSize: s }), 'paddleslim').gflops;
  return PUBLISHED_ROWS.map((row) => {
    const { model, bytes } = get(row.backbone, row.dataset, row.strategy);
    const computedGflops = g(model, row.inputSize);
    const base = row.strategy === 'baseline' ? undefined : g(get(row.backbone, row.dataset, 'baseline').model, row.inputSize);
    return {
      ...row,
      computedGflops,
      computedReductionPercent: base === undefined ? undefined : ((computedGflops - base) / base) * 100,
      params: [...weightInitializers(model).values()].reduce((a, b) => a + b, 0),
      onnxBytes: bytes,
    };
  });
}

export function referenceTableMarkdown(rows: ComputedRow[]): string {
  const mib = (b: number) => (b / 1048576).toFixed(2);
  const lines = [
    '| Backbone | Data | Strategy | Input | GFLOPs computed | GFLOPs published | Reduction computed | Reduction published | Params | ' +
      'ONNX size (MiB) | Published size (MB) |',
    '| :-- | :-- | :-- | --: | --: | --: | --: | --: | --: | --: | --: |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.backbone} | ${r.dataset} | ${r.strategy} | ${r.inputSize} | ${r.computedGflops.toFixed(2)} | ${r.gflops.toFixed(2)} ` +
        `| ${r.computedReductionPercent === undefined ? '' : `${r.computedReductionPercent.toFixed(2)}%`} ` +
        `| ${r.reductionPercent === undefined ? '' : `${r.reductionPercent.toFixed(2)}%`} | ${r.params.toLocaleString('en-US')} ` +
        `| ${mib(r.onnxBytes)} | ${r.sizeMB.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

const isEntry = process.argv[1] !== undefined && /lib[\\/]onnx[\\/]reference-table\.ts$/.test(process.argv[1]);
if (isEntry) process.stdout.write(referenceTableMarkdown(computeReferenceTable()) + '\n');
