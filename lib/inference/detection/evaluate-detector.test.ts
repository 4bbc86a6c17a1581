import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COCO_STAT_NAMES, evaluateCoco } from '../../metrics/coco';
import { parseCocoGroundTruth, parseCocoResults } from '../../metrics/formats/coco-json';
import { detectImages } from './detection-pipeline';
import { evaluateDetectorOnCoco } from './evaluate-detector';
import { parseModelAdapter } from './model-adapter';
import { ProgressReporter } from '../runtime/progress';

const FIX = path.join(import.meta.dirname, '..', '__fixtures__');
const DATASET = path.join(FIX, 'shapes-coco');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'slimboard-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('evaluateDetectorOnCoco on the hand-designed fixture detectors (real ONNX, real images)', () => {
  // The fixtures box every coloured rectangle; bilinear upsampling shifts the far edges by < 1 input
  // pixel, so every match has IoU > 0.75 (AP50 = AP75 = 1) and only the 20x20 box misses IoU 0.95.
  for (const kind of ['decoded', 'paddle', 'yolo'] as const) {
    it(`${kind}: every object found, categories mapped to ids 1/3/7, boxes in original pixels`, async () => {
      const events: number[] = [];
      const r = await evaluateDetectorOnCoco({
        modelPath: path.join(FIX, `detector-${kind}.onnx`),
        datasetDir: DATASET,
        inputSize: 320,
        workers: 2,
        createProgress: (total) => {
          const p = new ProgressReporter('evaluate', total);
          p.on('progress', (e) => events.push(e.done));
          return p;
        },
      });
      expect(r.family).toBe('coco');
      expect(r.metrics.AP50).toBe(1);
      expect(r.metrics.AP75).toBe(1);
      expect(r.metrics.AP).toBeGreaterThan(0.95);
      expect(r.metrics.AR100).toBeGreaterThan(0.95);
      expect(r.metrics.perCategory.map((c) => c.id)).toEqual([1, 3, 7]);
      expect(events).toEqual([1, 2, 3, 4, 5, 6]);
      expect(new Set(r.detections.map((d) => d.category_id))).toEqual(new Set([1, 3, 7]));
      // image 100 (a.png, 200x150): red rectangle x 20..80, y 30..70 -> bbox ~ [20, 30, 60, 40]
      const red = r.detections.filter((d) => d.image_id === 100 && d.category_id === 1).sort((a, b) => b.score - a.score)[0];
      expect(red.bbox[0]).toBeCloseTo(20, 0);
      expect(red.bbox[1]).toBeCloseTo(30, 0);
      expect(Math.abs(red.bbox[2] - 60)).toBeLessThan(1.01);
      expect(Math.abs(red.bbox[3] - 40)).toBeLessThan(1.01);
    });
  }

  it('NMS matters: the yolo fixture emits each object on three strides; without NMS AP drops', async () => {
    const auto = await detectImages({ modelPath: path.join(FIX, 'detector-yolo.onnx'), images: [{ id: 1, file: path.join(DATASET, 'images', 'c.png') }], inputSize: 320 });
    expect(auto.results[0].detections).toHaveLength(3);
    const noNms = { ...auto.adapter, postprocess: { ...auto.adapter.postprocess, nmsIouThreshold: 1 } };
    const raw = await detectImages({ modelPath: path.join(FIX, 'detector-yolo.onnx'), images: [{ id: 1, file: path.join(DATASET, 'images', 'c.png') }], inputSize: 320, adapter: parseModelAdapter(noNms, 't') });
    expect(raw.results[0].detections).toHaveLength(9);
  });

  it('scheduling does not change results: 1 worker / prefetch 1 and 3 workers / prefetch 7 agree, in input order', async () => {
    const files = ['a.png', 'b.png', 'c.png', 'a.png', 'c.png', 'b.png', 'a.png'];
    const images = files.map((f, i) => ({ id: 10 + i, file: path.join(DATASET, 'images', f) }));
    const run = (workers: number, prefetch: number) => detectImages({ modelPath: path.join(FIX, 'detector-yolo.onnx'), images, inputSize: 320, workers, prefetch });
    const serial = await run(1, 1);
    const wide = await run(3, 7);
    expect(serial.results.map((r) => r.imageId)).toEqual(images.map((im) => im.id));
    expect(wide.results).toEqual(serial.results);
    // The same file gives the same detections wherever it sits in the stream (recycled input buffers).
    expect(serial.results[3].detections).toEqual(serial.results[0].detections);
    expect(serial.results[6].detections).toEqual(serial.results[0].detections);
    expect(serial.results[0].detections.length).toBeGreaterThan(0);
  });

  it('an adapter file with classNames maps by name', async () => {
    const adapter = parseModelAdapter({ classNames: ['red', 'green', 'blue'], output: { kind: 'decoded', boxes: 'boxes', scores: 'scores' } }, 'a.json');
    const r = await evaluateDetectorOnCoco({ modelPath: path.join(FIX, 'detector-decoded.onnx'), datasetDir: DATASET, inputSize: 256, adapter });
    expect(r.metrics.AP50).toBe(1);
    const swapped = parseModelAdapter({ classNames: ['green', 'red', 'blue'], output: { kind: 'decoded', boxes: 'boxes', scores: 'scores' } }, 'b.json');
    const bad = await evaluateDetectorOnCoco({ modelPath: path.join(FIX, 'detector-decoded.onnx'), datasetDir: DATASET, inputSize: 256, adapter: swapped });
    // red and green swapped: their true boxes only come with the 0.02 off-class scores, below the
    // 0.6-scored duplicates of the wrong class, so those two categories lose AP; blue is untouched.
    const ap = Object.fromEntries(bad.metrics.perCategory.map((c) => [c.name, c.AP ?? -1]));
    expect(ap.blue).toBeGreaterThan(0.95);
    expect(ap.red).toBeLessThan(0.9);
    expect(ap.green).toBeLessThan(0.9);
  });

  it('EXPECTED FAILURE: outputs matching no adapter, classes not matching the dataset, missing images, VOC dir', async () => {
    await expect(evaluateDetectorOnCoco({ modelPath: path.join(FIX, 'not-a-detector.onnx'), datasetDir: DATASET, inputSize: 64 })).rejects.toThrow(/not-a-detector\.onnx: outputs features\[1,4,height,width\] match no known adapter/);
    // 80-category dataset with the same images
    const ds = path.join(tmp, 'eighty');
    cpSync(DATASET, ds, { recursive: true });
    const ann = JSON.parse(readFileSync(path.join(ds, 'annotations.json'), 'utf8'));
    ann.categories = Array.from({ length: 80 }, (_, i) => ({ id: i + 1, name: `c${i}` }));
    writeFileSync(path.join(ds, 'annotations.json'), JSON.stringify(ann));
    await expect(evaluateDetectorOnCoco({ modelPath: path.join(FIX, 'detector-yolo.onnx'), datasetDir: ds, inputSize: 64 })).rejects.toThrow(/model has 3 classes but .*annotations\.json has 80 categories/);
    const adapter = parseModelAdapter({ classNames: ['red', 'cyan', 'blue'], output: { kind: 'decoded', boxes: 'boxes', scores: 'scores' } }, 'a.json');
    await expect(evaluateDetectorOnCoco({ modelPath: path.join(FIX, 'detector-decoded.onnx'), datasetDir: DATASET, inputSize: 64, adapter, strict: true })).rejects.toThrow(/model class 1 "cyan" is not a category/);
    // paddle-nms models do not reveal their class count: a predicted class outside the dataset is caught
    const two = path.join(tmp, 'two');
    cpSync(DATASET, two, { recursive: true });
    const ann2 = JSON.parse(readFileSync(path.join(two, 'annotations.json'), 'utf8'));
    ann2.categories = ann2.categories.slice(0, 2);
    ann2.annotations = ann2.annotations.filter((a: { category_id: number }) => a.category_id !== 7);
    writeFileSync(path.join(two, 'annotations.json'), JSON.stringify(ann2));
    await expect(evaluateDetectorOnCoco({ modelPath: path.join(FIX, 'detector-paddle.onnx'), datasetDir: two, inputSize: 64, strict: true })).rejects.toThrow(/model predicted class 2 but .* has 2 categories/);
    // not strict (pycocotools parity): class 2's detections are left out and counted, the rest is evaluated as it would be alone
    const lenient = await evaluateDetectorOnCoco({ modelPath: path.join(FIX, 'detector-paddle.onnx'), datasetDir: two, inputSize: 64 });
    expect(lenient.ignoredDetections.unknownCategory).toBeGreaterThan(0);
    expect(lenient.ignoredDetections.modelClasses).toEqual([2]);
    const full = await evaluateDetectorOnCoco({ modelPath: path.join(FIX, 'detector-paddle.onnx'), datasetDir: DATASET, inputSize: 64 });
    expect(full.ignoredDetections).toEqual({ unknownCategory: 0, modelClasses: [] });
    expect(lenient.detections).toEqual(full.detections.filter((d) => d.category_id !== 7));
    expect(lenient.ignoredDetections.unknownCategory).toBe(full.detections.length - lenient.detections.length);
    const twoGt = parseCocoGroundTruth(JSON.parse(readFileSync(path.join(two, 'annotations.json'), 'utf8')), 'two');
    const alone = evaluateCoco(twoGt, parseCocoResults(lenient.detections, twoGt, 'rows')).stats;
    expect(COCO_STAT_NAMES.map((n) => lenient.metrics[n])).toEqual(alone);
    rmSync(path.join(two, 'images', 'c.png'));
    await expect(evaluateDetectorOnCoco({ modelPath: path.join(FIX, 'detector-paddle.onnx'), datasetDir: two, inputSize: 64 })).rejects.toThrow(/image 102 file .*c\.png does not exist/);
    await expect(evaluateDetectorOnCoco({ modelPath: path.join(FIX, 'detector-paddle.onnx'), datasetDir: path.join(tmp, 'nope'), inputSize: 64 })).rejects.toThrow(/dataset directory does not exist/);
    const voc = path.join(tmp, 'voc');
    mkdirSync(path.join(voc, 'Annotations'), { recursive: true });
    mkdirSync(path.join(voc, 'ImageSets', 'Main'), { recursive: true });
    await expect(evaluateDetectorOnCoco({ modelPath: path.join(FIX, 'detector-paddle.onnx'), datasetDir: voc, inputSize: 64 })).rejects.toThrow(/looks like a Pascal VOC directory/);
  });

  it('EXPECTED FAILURE: an unreadable image names the file', async () => {
    const ds = path.join(tmp, 'broken');
    cpSync(DATASET, ds, { recursive: true });
    writeFileSync(path.join(ds, 'images', 'b.png'), 'not a png');
    await expect(evaluateDetectorOnCoco({ modelPath: path.join(FIX, 'detector-decoded.onnx'), datasetDir: ds, inputSize: 64 })).rejects.toThrow(/b\.png: cannot decode image/);
  });
});
