import type { TSeedCatalog } from '../../lib/zoo/seed-schema';

/**
 * The PaddleDetection "slim" benchmark (prisma/seed/paddledetection-slim-benchmark.md) as declared data:
 * reference entities, one entry per model (identified by its download), and every table row in document
 * order with its numbers as printed (strings keep the printed decimals) and the deltas printed next to
 * them (`deltas`, keyed by column id). The zoo shows a printed delta when it lies in the interval its two
 * printed numbers allow, and otherwise the delta computed from `baseline` (lib/zoo/published-deltas.ts,
 * docs/deltas.md); lib/zoo/seed-cells.db.test.ts checks every cell of the document against what the
 * database serves.
 *
 * Declared, not in the tables: lineage (`parent`), the comparison point (`baseline`), teachers, and the
 * VOC YOLOv3-ResNet34 teacher (no row of its own; its accuracy comes from the teacher columns).
 */

const YOLO_HEAD_PARAMS = [
  'yolo_block.0.0.0.conv.weights', 'yolo_block.0.0.1.conv.weights', 'yolo_block.0.1.0.conv.weights',
  'yolo_block.0.1.1.conv.weights', 'yolo_block.0.2.conv.weights', 'yolo_block.0.tip.conv.weights',
  'yolo_block.1.0.0.conv.weights', 'yolo_block.1.0.1.conv.weights', 'yolo_block.1.1.0.conv.weights',
  'yolo_block.1.1.1.conv.weights', 'yolo_block.1.2.conv.weights', 'yolo_block.1.tip.conv.weights',
  'yolo_block.2.0.0.conv.weights', 'yolo_block.2.0.1.conv.weights', 'yolo_block.2.1.0.conv.weights',
  'yolo_block.2.1.1.conv.weights', 'yolo_block.2.2.conv.weights', 'yolo_block.2.tip.conv.weights',
];

/** PaddleSlim's published `--pruned_ratios` for YOLO_HEAD_PARAMS: sensitivity-chosen (sensity) and 0.5/0.7/0.8 per branch (r578). */
const SENSITY = { prunedParams: YOLO_HEAD_PARAMS, prunedRatios: [0.1, 0.2, 0.2, 0.2, 0.2, 0.1, 0.2, 0.3, 0.3, 0.3, 0.2, 0.1, 0.3, 0.4, 0.4, 0.4, 0.4, 0.3] };
const R578 = { prunedParams: YOLO_HEAD_PARAMS, prunedRatios: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8] };

const BOS = 'https://paddlemodels.bj.bcebos.com/';

export const paddleDetectionSlimCatalog: TSeedCatalog = {
  source: {
    slug: 'paddledetection-slim-benchmark',
    title: 'PaddleDetection slim compression benchmark (压缩benchmark)',
    url: 'https://github.com/PaddlePaddle/PaddleDetection/blob/release/0.2/slim/README.md',
    repoPath: 'prisma/seed/paddledetection-slim-benchmark.md',
  },
  datasets: [
    { slug: 'coco', name: 'COCO', aliases: [] },
    { slug: 'voc', name: 'Pascal VOC', aliases: ['VOC'] },
    { slug: 'widerface', name: 'WIDER FACE', aliases: [] },
  ],
  backbones: [
    { slug: 'resnet50-vd-dcn', name: 'ResNet50-vd-dcn', aliases: ['R50vd-dcn'] },
    { slug: 'mobilenet-v1', name: 'MobileNetV1', aliases: [] },
    { slug: 'resnet34', name: 'ResNet34', aliases: [] },
    { slug: 'blazeface', name: 'BlazeFace', aliases: [] },
    { slug: 'blazeface-lite', name: 'BlazeFace-Lite', aliases: [] },
    { slug: 'blazeface-nas', name: 'BlazeFace-NAS', aliases: [] },
  ],
  pretrainings: [
    { slug: 'imagenet', name: 'ImageNet', aliases: [] },
    { slug: 'objects365', name: 'Objects365', aliases: ['object365'] },
  ],
  strategies: [
    {
      slug: 'sensity',
      method: 'prune',
      description:
        'Sensitivity-based channel pruning of the yolo_head; ratios from a sensitivity analysis of yolov3_mobilnet_v1 on COCO.',
    },
    {
      slug: 'r578',
      method: 'prune',
      description: 'Channel pruning of the three yolo_head output branches with ratios 0.5, 0.7 and 0.8.',
    },
    {
      slug: 'l2_distiil',
      method: 'distill',
      description: 'Distillation with an L2 loss between teacher and student feature maps (default of slim/distillation/distill.py).',
    },
    {
      slug: 'split_distiil',
      method: 'distill',
      description: 'Distillation with the YOLOv3 fine-grained loss (-o use_fine_grained_loss=true).',
    },
    { slug: 'post', method: 'quant', description: 'Post-training (offline) quantization.' },
    { slug: 'aware', method: 'quant', description: 'Quantization-aware training (online).' },
  ],
  devices: [
    { slug: 'tesla-p4-trt', name: 'Tesla P4', runtime: 'TensorRT (single GPU)', threads: null, notes: 'ms/image' },
    { slug: 'kirin-970', name: 'Kirin 970', runtime: 'Paddle-Lite (arm8)', threads: 4, notes: 'ms/image' },
    { slug: 'snapdragon-835', name: 'Snapdragon 835', runtime: 'Paddle-Lite (arm8)', threads: 4, notes: 'ms/image' },
    { slug: 'snapdragon-855', name: 'Snapdragon 855', runtime: 'Paddle-Lite (arm8)', threads: 4, notes: 'ms/image' },
  ],
  models: [
    // COCO: YOLOv3-ResNet50-vd-dcn
    { slug: 'yolov3-r50vd-dcn-coco', name: 'YOLOv3-ResNet50-vd-dcn', family: 'YOLOv3', backbone: 'resnet50-vd-dcn', dataset: 'coco', pretraining: null, method: 'baseline', strategy: null, parent: null, baseline: null, teacher: null, download: BOS + 'object_detection/yolov3_r50vd_dcn.tar' },
    { slug: 'yolov3-r50vd-dcn-coco-prune-sensity', name: 'YOLOv3-ResNet50-vd-dcn', family: 'YOLOv3', backbone: 'resnet50-vd-dcn', dataset: 'coco', pretraining: null, method: 'prune', strategy: 'sensity', parent: 'yolov3-r50vd-dcn-coco', baseline: 'yolov3-r50vd-dcn-coco', teacher: null, lineage: SENSITY, download: BOS + 'PaddleSlim/prune/yolov3_r50vd_dcn_prune1x.tar' },
    { slug: 'yolov3-r50vd-dcn-coco-prune-r578', name: 'YOLOv3-ResNet50-vd-dcn', family: 'YOLOv3', backbone: 'resnet50-vd-dcn', dataset: 'coco', pretraining: null, method: 'prune', strategy: 'r578', parent: 'yolov3-r50vd-dcn-coco', baseline: 'yolov3-r50vd-dcn-coco', teacher: null, lineage: R578, download: BOS + 'PaddleSlim/prune/yolov3_r50vd_dcn_prune578.tar' },
    { slug: 'yolov3-r50vd-dcn-coco-prune-r578-distill', name: 'YOLOv3-ResNet50-vd-dcn', family: 'YOLOv3', backbone: 'resnet50-vd-dcn', dataset: 'coco', pretraining: null, method: 'prune_distill', strategy: 'r578', parent: 'yolov3-r50vd-dcn-coco-prune-r578', baseline: 'yolov3-r50vd-dcn-coco', teacher: 'yolov3-r50vd-dcn-coco', lineage: R578, download: BOS + 'PaddleSlim/prune/yolov3_r50vd_dcn_prune578_distill.tar' },
    // COCO: YOLOv3-MobileNetV1
    { slug: 'yolov3-mobilenet-v1-coco', name: 'YOLOv3-MobileNetV1', family: 'YOLOv3', backbone: 'mobilenet-v1', dataset: 'coco', pretraining: 'imagenet', method: 'baseline', strategy: null, parent: null, baseline: null, teacher: null, download: BOS + 'object_detection/yolov3_mobilenet_v1.tar' },
    { slug: 'yolov3-mobilenet-v1-coco-prune-sensity', name: 'YOLOv3-MobileNetV1', family: 'YOLOv3', backbone: 'mobilenet-v1', dataset: 'coco', pretraining: 'imagenet', method: 'prune', strategy: 'sensity', parent: 'yolov3-mobilenet-v1-coco', baseline: 'yolov3-mobilenet-v1-coco', teacher: null, lineage: SENSITY, download: BOS + 'PaddleSlim/prune/yolov3_mobilenet_v1_prune1x.tar' },
    { slug: 'yolov3-mobilenet-v1-coco-prune-r578', name: 'YOLOv3-MobileNetV1', family: 'YOLOv3', backbone: 'mobilenet-v1', dataset: 'coco', pretraining: 'imagenet', method: 'prune', strategy: 'r578', parent: 'yolov3-mobilenet-v1-coco', baseline: 'yolov3-mobilenet-v1-coco', teacher: null, lineage: R578, download: BOS + 'PaddleSlim/prune/yolov3_mobilenet_v1_prune578.tar' },
    { slug: 'yolov3-mobilenet-v1-coco-prune-r578-distill', name: 'YOLOv3-MobileNetV1', family: 'YOLOv3', backbone: 'mobilenet-v1', dataset: 'coco', pretraining: 'imagenet', method: 'prune_distill', strategy: 'r578', parent: 'yolov3-mobilenet-v1-coco-prune-r578', baseline: 'yolov3-mobilenet-v1-coco', teacher: 'yolov3-r34-coco', lineage: R578, download: BOS + 'PaddleSlim/prune/yolov3_mobilenet_v1_prune578_distillby_r34.tar' },
    { slug: 'yolov3-mobilenet-v1-coco-distill-split', name: 'YOLOv3-MobileNetV1', family: 'YOLOv3', backbone: 'mobilenet-v1', dataset: 'coco', pretraining: 'imagenet', method: 'distill', strategy: 'split_distiil', parent: null, baseline: 'yolov3-mobilenet-v1-coco', teacher: 'yolov3-r34-coco', download: BOS + 'PaddleSlim/yolov3_mobilenetv1_coco_distilled.tar' },
    { slug: 'yolov3-mobilenet-v1-coco-quant-post', name: 'YOLOv3-MobileNetV1', family: 'YOLOv3', backbone: 'mobilenet-v1', dataset: 'coco', pretraining: 'imagenet', method: 'quant', strategy: 'post', parent: 'yolov3-mobilenet-v1-coco', baseline: 'yolov3-mobilenet-v1-coco', teacher: null, lineage: { quantMode: 'post' }, download: BOS + 'PaddleSlim/yolov3_mobilenetv1_coco_quant_post.tar' },
    { slug: 'yolov3-mobilenet-v1-coco-quant-aware', name: 'YOLOv3-MobileNetV1', family: 'YOLOv3', backbone: 'mobilenet-v1', dataset: 'coco', pretraining: 'imagenet', method: 'quant', strategy: 'aware', parent: 'yolov3-mobilenet-v1-coco', baseline: 'yolov3-mobilenet-v1-coco', teacher: null, lineage: { quantMode: 'aware' }, download: BOS + 'PaddleSlim/yolov3_mobilenetv1_coco_quant_aware.tar' },
    // COCO: YOLOv3-ResNet34
    { slug: 'yolov3-r34-coco', name: 'YOLOv3-ResNet34', family: 'YOLOv3', backbone: 'resnet34', dataset: 'coco', pretraining: 'imagenet', method: 'baseline', strategy: null, parent: null, baseline: null, teacher: null, download: BOS + 'object_detection/yolov3_r34.tar' },
    { slug: 'yolov3-r34-coco-quant-post', name: 'YOLOv3-ResNet34', family: 'YOLOv3', backbone: 'resnet34', dataset: 'coco', pretraining: 'imagenet', method: 'quant', strategy: 'post', parent: 'yolov3-r34-coco', baseline: 'yolov3-r34-coco', teacher: null, lineage: { quantMode: 'post' }, download: BOS + 'PaddleSlim/yolov3_r34_coco_quant_post.tar' },
    { slug: 'yolov3-r34-coco-quant-aware', name: 'YOLOv3-ResNet34', family: 'YOLOv3', backbone: 'resnet34', dataset: 'coco', pretraining: 'imagenet', method: 'quant', strategy: 'aware', parent: 'yolov3-r34-coco', baseline: 'yolov3-r34-coco', teacher: null, lineage: { quantMode: 'aware' }, download: BOS + 'PaddleSlim/yolov3_r34_coco_quant_aware.tar' },
    // COCO: YOLOv3-R50vd-dcn pretrained on Objects365
    { slug: 'yolov3-r50vd-dcn-obj365-coco', name: 'YOLOv3-R50vd-dcn', family: 'YOLOv3', backbone: 'resnet50-vd-dcn', dataset: 'coco', pretraining: 'objects365', method: 'baseline', strategy: null, parent: null, baseline: null, teacher: null, download: BOS + 'object_detection/yolov3_r50vd_dcn_obj365_pretrained_coco.tar' },
    { slug: 'yolov3-r50vd-dcn-obj365-coco-quant-aware', name: 'YOLOv3-R50vd-dcn', family: 'YOLOv3', backbone: 'resnet50-vd-dcn', dataset: 'coco', pretraining: 'objects365', method: 'quant', strategy: 'aware', parent: 'yolov3-r50vd-dcn-obj365-coco', baseline: 'yolov3-r50vd-dcn-obj365-coco', teacher: null, lineage: { quantMode: 'aware' }, download: BOS + 'PaddleSlim/yolov3_r50vd_dcn_obj365_pretrained_coco_quant_aware.tar' },
    // Pascal VOC: YOLOv3-MobileNetV1 and its teacher
    { slug: 'yolov3-mobilenet-v1-voc', name: 'YOLOv3-MobileNetV1', family: 'YOLOv3', backbone: 'mobilenet-v1', dataset: 'voc', pretraining: null, method: 'baseline', strategy: null, parent: null, baseline: null, teacher: null, download: BOS + 'object_detection/yolov3_mobilenet_v1_voc.tar' },
    { slug: 'yolov3-mobilenet-v1-voc-prune-sensity', name: 'YOLOv3-MobileNetV1', family: 'YOLOv3', backbone: 'mobilenet-v1', dataset: 'voc', pretraining: null, method: 'prune', strategy: 'sensity', parent: 'yolov3-mobilenet-v1-voc', baseline: 'yolov3-mobilenet-v1-voc', teacher: null, lineage: SENSITY, download: BOS + 'PaddleSlim/prune/yolov3_mobilenet_v1_voc_prune1x.tar' },
    { slug: 'yolov3-mobilenet-v1-voc-prune-r578', name: 'YOLOv3-MobileNetV1', family: 'YOLOv3', backbone: 'mobilenet-v1', dataset: 'voc', pretraining: null, method: 'prune', strategy: 'r578', parent: 'yolov3-mobilenet-v1-voc', baseline: 'yolov3-mobilenet-v1-voc', teacher: null, lineage: R578, download: BOS + 'PaddleSlim/prune/yolov3_mobilenet_v1_voc_prune578.tar' },
    { slug: 'yolov3-mobilenet-v1-voc-prune-r578-distill', name: 'YOLOv3-MobileNetV1', family: 'YOLOv3', backbone: 'mobilenet-v1', dataset: 'voc', pretraining: null, method: 'prune_distill', strategy: 'r578', parent: 'yolov3-mobilenet-v1-voc-prune-r578', baseline: 'yolov3-mobilenet-v1-voc', teacher: 'yolov3-r34-voc', lineage: R578, download: BOS + 'PaddleSlim/prune/yolov3_mobilenet_v1_voc_prune578_distillby_r34.tar' },
    { slug: 'yolov3-mobilenet-v1-voc-distill-l2', name: 'YOLOv3-MobileNetV1', family: 'YOLOv3', backbone: 'mobilenet-v1', dataset: 'voc', pretraining: null, method: 'distill', strategy: 'l2_distiil', parent: null, baseline: 'yolov3-mobilenet-v1-voc', teacher: 'yolov3-r34-voc', download: BOS + 'PaddleSlim/yolov3_mobilenetv1_voc_distilled.tar' },
    { slug: 'yolov3-r34-voc', name: 'YOLOv3-ResNet34', family: 'YOLOv3', backbone: 'resnet34', dataset: 'voc', pretraining: null, method: 'baseline', strategy: null, parent: null, baseline: null, teacher: null, download: null },
    // WIDER FACE: BlazeFace variants
    { slug: 'blazeface-widerface', name: 'BlazeFace', family: 'BlazeFace', backbone: 'blazeface', dataset: 'widerface', pretraining: null, method: 'baseline', strategy: null, parent: null, baseline: null, teacher: null, download: BOS + 'object_detection/blazeface_original.tar' },
    { slug: 'blazeface-widerface-quant-post', name: 'BlazeFace', family: 'BlazeFace', backbone: 'blazeface', dataset: 'widerface', pretraining: null, method: 'quant', strategy: 'post', parent: 'blazeface-widerface', baseline: 'blazeface-widerface', teacher: null, lineage: { quantMode: 'post' }, download: BOS + 'PaddleSlim/blazeface_origin_quant_post.tar' },
    { slug: 'blazeface-widerface-quant-aware', name: 'BlazeFace', family: 'BlazeFace', backbone: 'blazeface', dataset: 'widerface', pretraining: null, method: 'quant', strategy: 'aware', parent: 'blazeface-widerface', baseline: 'blazeface-widerface', teacher: null, lineage: { quantMode: 'aware' }, download: BOS + 'PaddleSlim/blazeface_origin_quant_aware.tar' },
    { slug: 'blazeface-lite-widerface', name: 'BlazeFace-Lite', family: 'BlazeFace', backbone: 'blazeface-lite', dataset: 'widerface', pretraining: null, method: 'baseline', strategy: null, parent: null, baseline: null, teacher: null, download: BOS + 'object_detection/blazeface_lite.tar' },
    { slug: 'blazeface-lite-widerface-quant-post', name: 'BlazeFace-Lite', family: 'BlazeFace', backbone: 'blazeface-lite', dataset: 'widerface', pretraining: null, method: 'quant', strategy: 'post', parent: 'blazeface-lite-widerface', baseline: 'blazeface-lite-widerface', teacher: null, lineage: { quantMode: 'post' }, download: BOS + 'PaddleSlim/blazeface_lite_quant_post.tar' },
    { slug: 'blazeface-lite-widerface-quant-aware', name: 'BlazeFace-Lite', family: 'BlazeFace', backbone: 'blazeface-lite', dataset: 'widerface', pretraining: null, method: 'quant', strategy: 'aware', parent: 'blazeface-lite-widerface', baseline: 'blazeface-lite-widerface', teacher: null, lineage: { quantMode: 'aware' }, download: BOS + 'PaddleSlim/blazeface_lite_quant_aware.tar' },
    { slug: 'blazeface-nas-widerface', name: 'BlazeFace-NAS', family: 'BlazeFace', backbone: 'blazeface-nas', dataset: 'widerface', pretraining: null, method: 'baseline', strategy: null, parent: null, baseline: null, teacher: null, download: BOS + 'object_detection/blazeface_nas.tar' },
    { slug: 'blazeface-nas-widerface-quant-post', name: 'BlazeFace-NAS', family: 'BlazeFace', backbone: 'blazeface-nas', dataset: 'widerface', pretraining: null, method: 'quant', strategy: 'post', parent: 'blazeface-nas-widerface', baseline: 'blazeface-nas-widerface', teacher: null, lineage: { quantMode: 'post' }, download: BOS + 'PaddleSlim/blazeface_nas_quant_post.tar' },
    { slug: 'blazeface-nas-widerface-quant-aware', name: 'BlazeFace-NAS', family: 'BlazeFace', backbone: 'blazeface-nas', dataset: 'widerface', pretraining: null, method: 'quant', strategy: 'aware', parent: 'blazeface-nas-widerface', baseline: 'blazeface-nas-widerface', teacher: null, lineage: { quantMode: 'aware' }, download: BOS + 'PaddleSlim/blazeface_nas_quant_aware.tar' },
  ],
  sections: [
    {
      slug: 'prune-coco',
      title: 'Pruning · YOLOv3 on COCO',
      sourceTitle: '剪裁模型库 / YOLOv3 on COCO',
      columns: ['backbone', 'strategy', 'gflops', 'modelSizeMb', 'inputSize', 'boxAp', 'download'],
      rows: [
      { model: 'yolov3-r50vd-dcn-coco', inputSize: 608, values: { gflops: '44.71', modelSizeMb: '176.82', boxAp: '39.1' } },
      { model: 'yolov3-r50vd-dcn-coco-prune-sensity', inputSize: 608, values: { gflops: '37.53', modelSizeMb: '149.49', boxAp: '39.8' }, deltas: { gflops: '-16.06%', modelSizeMb: '-15.46%', boxAp: '+0.7' } },
      { model: 'yolov3-r50vd-dcn-coco-prune-r578', inputSize: 608, values: { gflops: '29.98', modelSizeMb: '112.08', boxAp: '38.3' }, deltas: { gflops: '-32.94%', modelSizeMb: '-36.61%', boxAp: '-0.8' } },
      { model: 'yolov3-mobilenet-v1-coco', inputSize: 608, values: { gflops: '20.64', modelSizeMb: '94.60', boxAp: '29.3' } },
      { model: 'yolov3-mobilenet-v1-coco', inputSize: 416, values: { gflops: '9.66', modelSizeMb: '94.60', boxAp: '29.3' } },
      { model: 'yolov3-mobilenet-v1-coco', inputSize: 320, values: { gflops: '5.72', modelSizeMb: '94.60', boxAp: '27.1' } },
      { model: 'yolov3-mobilenet-v1-coco-prune-sensity', inputSize: 608, values: { gflops: '13.57', modelSizeMb: '67.60', boxAp: '30.2' }, deltas: { gflops: '-34.27%', modelSizeMb: '-28.54%', boxAp: '+0.9' } },
      { model: 'yolov3-mobilenet-v1-coco-prune-sensity', inputSize: 416, values: { gflops: '6.35', modelSizeMb: '67.60', boxAp: '29.7' }, deltas: { gflops: '-34.27%', modelSizeMb: '-28.54%', boxAp: '+0.4' } },
      { model: 'yolov3-mobilenet-v1-coco-prune-sensity', inputSize: 320, values: { gflops: '3.76', modelSizeMb: '67.60', boxAp: '27.2' }, deltas: { gflops: '-34.27%', modelSizeMb: '-28.54%', boxAp: '+0.1' } },
      { model: 'yolov3-mobilenet-v1-coco-prune-r578', inputSize: 608, values: { gflops: '6.27', modelSizeMb: '31.30', boxAp: '27.8' }, deltas: { gflops: '-69.64%', modelSizeMb: '-66.90%', boxAp: '-1.5' } },
      { model: 'yolov3-mobilenet-v1-coco-prune-r578', inputSize: 416, values: { gflops: '2.93', modelSizeMb: '31.30', boxAp: '26.8' }, deltas: { gflops: '-69.64%', modelSizeMb: '-66.90%', boxAp: '-2.5' } },
      { model: 'yolov3-mobilenet-v1-coco-prune-r578', inputSize: 320, values: { gflops: '1.74', modelSizeMb: '31.30', boxAp: '24.0' }, deltas: { gflops: '-69.64%', modelSizeMb: '-66.90%', boxAp: '-3.1' } },
      ],
    },
    {
      slug: 'prune-voc',
      title: 'Pruning · YOLOv3 on Pascal VOC',
      sourceTitle: '剪裁模型库 / YOLOv3 on Pascal VOC',
      columns: ['backbone', 'strategy', 'gflops', 'modelSizeMb', 'inputSize', 'vocMap', 'download'],
      rows: [
      { model: 'yolov3-mobilenet-v1-voc', inputSize: 608, values: { gflops: '20.20', modelSizeMb: '93.37', vocMap: '76.2' } },
      { model: 'yolov3-mobilenet-v1-voc', inputSize: 416, values: { gflops: '9.46', modelSizeMb: '93.37', vocMap: '76.7' } },
      { model: 'yolov3-mobilenet-v1-voc', inputSize: 320, values: { gflops: '5.60', modelSizeMb: '93.37', vocMap: '75.3' } },
      { model: 'yolov3-mobilenet-v1-voc-prune-sensity', inputSize: 608, values: { gflops: '13.22', modelSizeMb: '66.53', vocMap: '78.4' }, deltas: { gflops: '-34.55%', modelSizeMb: '-28.74%', vocMap: '+2.2' } },
      { model: 'yolov3-mobilenet-v1-voc-prune-sensity', inputSize: 416, values: { gflops: '6.19', modelSizeMb: '66.53', vocMap: '78.7' }, deltas: { gflops: '-34.55%', modelSizeMb: '-28.74%', vocMap: '+2.0' } },
      { model: 'yolov3-mobilenet-v1-voc-prune-sensity', inputSize: 320, values: { gflops: '3.66', modelSizeMb: '66.53', vocMap: '76.1' }, deltas: { gflops: '-34.55%', modelSizeMb: '-28.74%', vocMap: '+0.8' } },
      { model: 'yolov3-mobilenet-v1-voc-prune-r578', inputSize: 608, values: { gflops: '6.15', modelSizeMb: '30.81', vocMap: '77.6' }, deltas: { gflops: '-69.57%', modelSizeMb: '-67.00%', vocMap: '+1.4' } },
      { model: 'yolov3-mobilenet-v1-voc-prune-r578', inputSize: 416, values: { gflops: '2.88', modelSizeMb: '30.81', vocMap: '77.7' }, deltas: { gflops: '-69.57%', modelSizeMb: '-67.00%', vocMap: '+1.0' } },
      { model: 'yolov3-mobilenet-v1-voc-prune-r578', inputSize: 320, values: { gflops: '1.70', modelSizeMb: '30.81', vocMap: '75.5' }, deltas: { gflops: '-69.57%', modelSizeMb: '-67.00%', vocMap: '+0.2' } },
      ],
    },
    {
      slug: 'prune-distill-coco',
      title: 'Distilled pruned models · YOLOv3 on COCO',
      sourceTitle: '剪裁模型库 / 蒸馏通道剪裁模型 (COCO)',
      columns: ['backbone', 'strategy', 'gflops', 'modelSizeMb', 'inputSize', 'teacher', 'boxAp', 'download'],
      rows: [
      { model: 'yolov3-r50vd-dcn-coco', inputSize: 608, values: { gflops: '44.71', modelSizeMb: '176.82', boxAp: '39.1' } },
      { model: 'yolov3-r50vd-dcn-coco-prune-r578-distill', inputSize: 608, values: { gflops: '29.98', modelSizeMb: '112.08', boxAp: '39.7' }, teacherAccuracy: '39.1', deltas: { gflops: '-32.94%', modelSizeMb: '-36.61%', boxAp: '+0.6' } },
      { model: 'yolov3-mobilenet-v1-coco', inputSize: 608, values: { gflops: '20.64', modelSizeMb: '94.60', boxAp: '29.3' } },
      { model: 'yolov3-mobilenet-v1-coco', inputSize: 416, values: { gflops: '9.66', modelSizeMb: '94.60', boxAp: '29.3' } },
      { model: 'yolov3-mobilenet-v1-coco', inputSize: 320, values: { gflops: '5.72', modelSizeMb: '94.60', boxAp: '27.1' } },
      { model: 'yolov3-mobilenet-v1-coco-prune-r578-distill', inputSize: 608, values: { gflops: '6.27', modelSizeMb: '31.30', boxAp: '29.0' }, teacherAccuracy: '36.2', deltas: { gflops: '-69.64%', modelSizeMb: '-66.90%', boxAp: '-0.3' } },
      { model: 'yolov3-mobilenet-v1-coco-prune-r578-distill', inputSize: 416, values: { gflops: '2.93', modelSizeMb: '31.30', boxAp: '28.0' }, teacherAccuracy: '34.3', deltas: { gflops: '-69.64%', modelSizeMb: '-66.90%', boxAp: '-1.3' } },
      { model: 'yolov3-mobilenet-v1-coco-prune-r578-distill', inputSize: 320, values: { gflops: '1.74', modelSizeMb: '31.30', boxAp: '25.1' }, teacherAccuracy: '31.4', deltas: { gflops: '-69.64%', modelSizeMb: '-66.90%', boxAp: '-2.0' } },
      ],
    },
    {
      slug: 'prune-distill-voc',
      title: 'Distilled pruned models · YOLOv3 on Pascal VOC',
      sourceTitle: '剪裁模型库 / 蒸馏通道剪裁模型 (Pascal VOC)',
      columns: ['backbone', 'strategy', 'gflops', 'modelSizeMb', 'inputSize', 'teacher', 'vocMap', 'download'],
      rows: [
      { model: 'yolov3-mobilenet-v1-voc', inputSize: 608, values: { gflops: '20.20', modelSizeMb: '93.37', vocMap: '76.2' } },
      { model: 'yolov3-mobilenet-v1-voc', inputSize: 416, values: { gflops: '9.46', modelSizeMb: '93.37', vocMap: '76.7' } },
      { model: 'yolov3-mobilenet-v1-voc', inputSize: 320, values: { gflops: '5.60', modelSizeMb: '93.37', vocMap: '75.3' } },
      { model: 'yolov3-mobilenet-v1-voc-prune-r578-distill', inputSize: 608, values: { gflops: '6.15', modelSizeMb: '30.81', vocMap: '78.8' }, teacherAccuracy: '82.6', deltas: { gflops: '-69.57%', modelSizeMb: '-67.00%', vocMap: '+2.6' } },
      { model: 'yolov3-mobilenet-v1-voc-prune-r578-distill', inputSize: 416, values: { gflops: '2.88', modelSizeMb: '30.81', vocMap: '78.7' }, teacherAccuracy: '81.9', deltas: { gflops: '-69.57%', modelSizeMb: '-67.00%', vocMap: '+2.0' } },
      { model: 'yolov3-mobilenet-v1-voc-prune-r578-distill', inputSize: 320, values: { gflops: '1.70', modelSizeMb: '30.81', vocMap: '76.3' }, teacherAccuracy: '80.1', deltas: { gflops: '-69.57%', modelSizeMb: '-67.00%', vocMap: '+2.0' } },
      ],
    },
    {
      slug: 'prune-latency',
      title: 'Pruned model latency · YOLOv3',
      sourceTitle: '剪裁模型库 / YOLOv3通道剪裁模型推理时延',
      columns: ['backbone', 'dataset', 'strategy', 'gflops', 'modelSizeMb', 'inputSize', 'latency:tesla-p4-trt', 'latency:kirin-970', 'latency:snapdragon-835', 'latency:snapdragon-855'],
      notes: 'Latency in ms/image. Tesla P4: single GPU with TensorRT. Kirin 970 / Snapdragon 835 / 855: Paddle-Lite, arm8, 4 threads.',
      rows: [
      { model: 'yolov3-mobilenet-v1-voc', inputSize: 608, values: { gflops: '20.20', modelSizeMb: '93.37', latencyMs: { 'tesla-p4-trt': '16.556', 'kirin-970': '748.404', 'snapdragon-835': '734.970', 'snapdragon-855': '289.878' } } },
      { model: 'yolov3-mobilenet-v1-voc', inputSize: 416, values: { gflops: '9.46', modelSizeMb: '93.37', latencyMs: { 'tesla-p4-trt': '9.031', 'kirin-970': '371.214', 'snapdragon-835': '349.065', 'snapdragon-855': '140.877' } } },
      { model: 'yolov3-mobilenet-v1-voc', inputSize: 320, values: { gflops: '5.60', modelSizeMb: '93.37', latencyMs: { 'tesla-p4-trt': '6.235', 'kirin-970': '221.705', 'snapdragon-835': '200.498', 'snapdragon-855': '80.515' } } },
      { model: 'yolov3-mobilenet-v1-voc-prune-r578', inputSize: 608, values: { gflops: '6.15', modelSizeMb: '30.81', latencyMs: { 'tesla-p4-trt': '10.064', 'kirin-970': '314.531', 'snapdragon-835': '323.537', 'snapdragon-855': '123.414' } }, deltas: { gflops: '-69.57%', modelSizeMb: '-67.00%', 'latency:tesla-p4-trt': '-39.21%', 'latency:kirin-970': '-57.97%', 'latency:snapdragon-835': '-55.98%', 'latency:snapdragon-855': '-57.43%' } },
      { model: 'yolov3-mobilenet-v1-voc-prune-r578', inputSize: 416, values: { gflops: '2.88', modelSizeMb: '30.81', latencyMs: { 'tesla-p4-trt': '5.478', 'kirin-970': '151.562', 'snapdragon-835': '146.014', 'snapdragon-855': '56.420' } }, deltas: { gflops: '-69.57%', modelSizeMb: '-67.00%', 'latency:tesla-p4-trt': '-39.34%', 'latency:kirin-970': '-59.17%', 'latency:snapdragon-835': '-58.17%', 'latency:snapdragon-855': '-59.95%' } },
      { model: 'yolov3-mobilenet-v1-voc-prune-r578', inputSize: 320, values: { gflops: '1.70', modelSizeMb: '30.81', latencyMs: { 'tesla-p4-trt': '3.880', 'kirin-970': '91.132', 'snapdragon-835': '87.440', 'snapdragon-855': '31.470' } }, deltas: { gflops: '-69.57%', modelSizeMb: '-67.00%', 'latency:tesla-p4-trt': '-37.77%', 'latency:kirin-970': '-58.90%', 'latency:snapdragon-835': '-56.39%', 'latency:snapdragon-855': '-60.91%' } },
      { model: 'yolov3-r50vd-dcn-coco', inputSize: 608, values: { gflops: '44.71', modelSizeMb: '176.82', latencyMs: { 'tesla-p4-trt': '36.127' } } },
      { model: 'yolov3-r50vd-dcn-coco-prune-sensity', inputSize: 608, values: { gflops: '37.53', modelSizeMb: '149.49', latencyMs: { 'tesla-p4-trt': '33.245' } }, deltas: { gflops: '-16.06%', modelSizeMb: '-15.46%', 'latency:tesla-p4-trt': '-7.98%' } },
      { model: 'yolov3-r50vd-dcn-coco-prune-r578', inputSize: 608, values: { gflops: '29.98', modelSizeMb: '112.08', latencyMs: { 'tesla-p4-trt': '29.138' } }, deltas: { gflops: '-32.94%', modelSizeMb: '-36.61%', 'latency:tesla-p4-trt': '-19.35%' } },
      ],
    },
    {
      slug: 'distill-coco',
      title: 'Distillation · YOLOv3 on COCO',
      sourceTitle: '蒸馏模型库 / YOLOv3 on COCO',
      columns: ['backbone', 'strategy', 'inputSize', 'teacher', 'boxAp', 'download'],
      rows: [
      { model: 'yolov3-mobilenet-v1-coco', inputSize: 608, values: { boxAp: '29.3' } },
      { model: 'yolov3-mobilenet-v1-coco', inputSize: 416, values: { boxAp: '29.3' } },
      { model: 'yolov3-mobilenet-v1-coco', inputSize: 320, values: { boxAp: '27.1' } },
      { model: 'yolov3-mobilenet-v1-coco-distill-split', inputSize: 608, values: { boxAp: '31.4' }, teacherAccuracy: '36.2', deltas: { boxAp: '+2.1' } },
      { model: 'yolov3-mobilenet-v1-coco-distill-split', inputSize: 416, values: { boxAp: '30.0' }, teacherAccuracy: '34.3', deltas: { boxAp: '+0.7' } },
      { model: 'yolov3-mobilenet-v1-coco-distill-split', inputSize: 320, values: { boxAp: '27.1' }, teacherAccuracy: '31.4', deltas: { boxAp: '+0.0' } },
      ],
    },
    {
      slug: 'distill-voc',
      title: 'Distillation · YOLOv3 on Pascal VOC',
      sourceTitle: '蒸馏模型库 / YOLOv3 on Pascal VOC',
      columns: ['backbone', 'strategy', 'inputSize', 'teacher', 'vocMap', 'download'],
      rows: [
      { model: 'yolov3-mobilenet-v1-voc', inputSize: 608, values: { vocMap: '76.2' } },
      { model: 'yolov3-mobilenet-v1-voc', inputSize: 416, values: { vocMap: '76.7' } },
      { model: 'yolov3-mobilenet-v1-voc', inputSize: 320, values: { vocMap: '75.3' } },
      { model: 'yolov3-mobilenet-v1-voc-distill-l2', inputSize: 608, values: { vocMap: '79.0' }, teacherAccuracy: '82.6', deltas: { vocMap: '+2.8' } },
      { model: 'yolov3-mobilenet-v1-voc-distill-l2', inputSize: 416, values: { vocMap: '78.2' }, teacherAccuracy: '81.9', deltas: { vocMap: '+1.5' } },
      { model: 'yolov3-mobilenet-v1-voc-distill-l2', inputSize: 320, values: { vocMap: '75.5' }, teacherAccuracy: '80.1', deltas: { vocMap: '+0.2' } },
      ],
    },
    {
      slug: 'quant-coco',
      title: 'Quantization · YOLOv3 on COCO',
      sourceTitle: '量化模型库 / YOLOv3 on COCO',
      columns: ['backbone', 'pretraining', 'strategy', 'inputSize', 'boxAp', 'download'],
      rows: [
      { model: 'yolov3-mobilenet-v1-coco', inputSize: 608, values: { boxAp: '29.3' } },
      { model: 'yolov3-mobilenet-v1-coco', inputSize: 416, values: { boxAp: '29.3' } },
      { model: 'yolov3-mobilenet-v1-coco', inputSize: 320, values: { boxAp: '27.1' } },
      { model: 'yolov3-mobilenet-v1-coco-quant-post', inputSize: 608, values: { boxAp: '27.9' }, deltas: { boxAp: '-1.4' } },
      { model: 'yolov3-mobilenet-v1-coco-quant-post', inputSize: 416, values: { boxAp: '28.0' }, deltas: { boxAp: '-1.3' } },
      { model: 'yolov3-mobilenet-v1-coco-quant-post', inputSize: 320, values: { boxAp: '26.0' }, deltas: { boxAp: '-1.1' } },
      { model: 'yolov3-mobilenet-v1-coco-quant-aware', inputSize: 608, values: { boxAp: '28.1' }, deltas: { boxAp: '-1.2' } },
      { model: 'yolov3-mobilenet-v1-coco-quant-aware', inputSize: 416, values: { boxAp: '28.2' }, deltas: { boxAp: '-1.1' } },
      { model: 'yolov3-mobilenet-v1-coco-quant-aware', inputSize: 320, values: { boxAp: '25.8' }, deltas: { boxAp: '-1.3' } },
      { model: 'yolov3-r34-coco', inputSize: 608, values: { boxAp: '36.2' } },
      { model: 'yolov3-r34-coco', inputSize: 416, values: { boxAp: '34.3' } },
      { model: 'yolov3-r34-coco', inputSize: 320, values: { boxAp: '31.4' } },
      { model: 'yolov3-r34-coco-quant-post', inputSize: 608, values: { boxAp: '35.7' }, deltas: { boxAp: '-0.5' } },
      { model: 'yolov3-r34-coco-quant-aware', inputSize: 608, values: { boxAp: '35.2' }, deltas: { boxAp: '-1.1' } },
      { model: 'yolov3-r34-coco-quant-aware', inputSize: 416, values: { boxAp: '33.3' }, deltas: { boxAp: '-1.0' } },
      { model: 'yolov3-r34-coco-quant-aware', inputSize: 320, values: { boxAp: '30.3' }, deltas: { boxAp: '-1.1' } },
      { model: 'yolov3-r50vd-dcn-obj365-coco', inputSize: 608, values: { boxAp: '41.4' } },
      { model: 'yolov3-r50vd-dcn-obj365-coco-quant-aware', inputSize: 608, values: { boxAp: '40.6' }, deltas: { boxAp: '-0.8' } },
      { model: 'yolov3-r50vd-dcn-obj365-coco-quant-aware', inputSize: 416, values: { boxAp: '37.5' } },
      { model: 'yolov3-r50vd-dcn-obj365-coco-quant-aware', inputSize: 320, values: { boxAp: '34.1' } },
      ],
    },
    {
      slug: 'quant-widerface',
      title: 'Quantization · BlazeFace on WIDER FACE',
      sourceTitle: '量化模型库 / BlazeFace on WIDER FACE',
      columns: ['model', 'strategy', 'inputSize', 'widerEasy', 'widerMedium', 'widerHard', 'download'],
      rows: [
      { model: 'blazeface-widerface', inputSize: 640, values: { widerEasy: '91.5', widerMedium: '89.2', widerHard: '79.7' } },
      { model: 'blazeface-widerface-quant-post', inputSize: 640, values: { widerEasy: '87.8', widerMedium: '85.1', widerHard: '74.9' }, deltas: { widerEasy: '-3.7', widerMedium: '-3.9', widerHard: '-4.8' } },
      { model: 'blazeface-widerface-quant-aware', inputSize: 640, values: { widerEasy: '90.5', widerMedium: '87.9', widerHard: '77.6' }, deltas: { widerEasy: '-1.0', widerMedium: '-1.3', widerHard: '-2.1' } },
      { model: 'blazeface-lite-widerface', inputSize: 640, values: { widerEasy: '90.9', widerMedium: '88.5', widerHard: '78.1' } },
      { model: 'blazeface-lite-widerface-quant-post', inputSize: 640, values: { widerEasy: '89.4', widerMedium: '86.7', widerHard: '75.7' }, deltas: { widerEasy: '-1.5', widerMedium: '-1.8', widerHard: '-2.4' } },
      { model: 'blazeface-lite-widerface-quant-aware', inputSize: 640, values: { widerEasy: '89.7', widerMedium: '87.3', widerHard: '77.0' }, deltas: { widerEasy: '-1.2', widerMedium: '-1.2', widerHard: '-1.1' } },
      { model: 'blazeface-nas-widerface', inputSize: 640, values: { widerEasy: '83.7', widerMedium: '80.7', widerHard: '65.8' } },
      { model: 'blazeface-nas-widerface-quant-post', inputSize: 640, values: { widerEasy: '81.6', widerMedium: '78.3', widerHard: '63.6' }, deltas: { widerEasy: '-2.1', widerMedium: '-2.4', widerHard: '-2.2' } },
      { model: 'blazeface-nas-widerface-quant-aware', inputSize: 640, values: { widerEasy: '83.1', widerMedium: '79.7', widerHard: '64.2' }, deltas: { widerEasy: '-0.6', widerMedium: '-1.0', widerHard: '-1.6' } },
      ],
    },
  ],
};
