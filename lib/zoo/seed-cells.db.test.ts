import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, getDb } from '../db/client';
import { computeDelta } from './delta';
import { checkPrintedDelta, deltaInterval, formatDeltaInterval, parsePrintedDelta } from './delta-interval';
import { formatDelta } from './format';
import { listZooRows } from './list-zoo-rows';
import { parseZooQuery } from './query';
import type { TZooRow } from './row';

/**
 * Every cell of every table of the seed document against what the database serves (the test database
 * of tests/setup/db.ts, seeded by the importer). The document is parsed HERE, independently of the
 * importer's declared data (prisma/seed/paddledetection-slim.ts), so a typo there fails this test.
 *
 * Printed deltas are declared in the seed (`deltas` per row) and shown as printed when they lie in the
 * interval their two printed numbers allow; the ones outside are listed below with their intervals (and
 * hand computations), and the test checks that exactly those cells are flagged.
 */

const DOC = path.resolve(import.meta.dirname, '..', '..', 'prisma', 'seed', 'paddledetection-slim-benchmark.md');

interface MdTable {
  header: string[];
  rows: string[][];
}

/** Markdown pipe tables in document order: header line, separator line, body lines. */
function parseTables(md: string): MdTable[] {
  const lines = md.split('\n');
  const tables: MdTable[] = [];
  const cells = (line: string) => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
  for (let i = 0; i < lines.length - 1; i++) {
    if (lines[i].startsWith('|') && /^\|\s*:?-{3,}/.test(lines[i + 1])) {
      const header = cells(lines[i]);
      const rows: string[][] = [];
      let j = i + 2;
      for (; j < lines.length && lines[j].startsWith('|'); j++) rows.push(cells(lines[j]));
      tables.push({ header, rows });
      i = j;
    }
  }
  return tables;
}

/** Spellings the document uses for names Slimboard stores canonically. */
const ALIASES: Record<string, string> = { 'R50vd-dcn': 'ResNet50-vd-dcn', object365: 'Objects365', VOC: 'Pascal VOC' };
const canon = (s: string) => ALIASES[s] ?? s;

const METRIC_HEADERS: Record<string, (datasetSlug: string) => string> = {
  GFLOPs: () => 'gflops',
  '模型体积(MB)': () => 'modelSizeMb',
  'Box AP': (ds) => (ds === 'voc' ? 'vocMap' : 'boxAp'),
  'Easy Set': () => 'widerEasy',
  'Medium Set': () => 'widerMedium',
  'Hard Set': () => 'widerHard',
  'Tesla P4': () => 'latency:tesla-p4-trt',
  麒麟970: () => 'latency:kirin-970',
  高通835: () => 'latency:snapdragon-835',
  高通855: () => 'latency:snapdragon-855',
};

/** Printed cell -> number part and delta part: `37.53(-16.06%)` -> ['37.53', '-16.06%']; `44.71` -> ['44.71', undefined]. */
function splitPrinted(cell: string): [string, string | undefined] {
  const m = /^([0-9.]+)(?:\((.*)\))?$/.exec(cell.trim());
  if (!m) throw new Error(`not a number cell: "${cell}"`);
  return [m[1], m[2]];
}

/**
 * Printed deltas outside the interval their two printed numbers allow (lib/zoo/delta-interval.ts): each
 * number stands for anything within half a unit of its last printed place, and a printed delta is
 * consistent when rounding some exact delta of that box gives it. Key: `<section>/<row>/<column>`.
 * Only these are replaced by the delta computed from the printed numbers (and flagged); every other
 * printed delta is shown as printed. Hand computations:
 */
const EXPECTED_FLAGGED: Record<string, { printed: string; shown: string; interval: string }> = {
  // yolov3-mobilenet-v1-voc-prune-r578-distill @320: 76.3 - 75.3 = 1.0, -/+ (0.05 + 0.05) -> [+0.9, +1.1]
  'prune-distill-voc/6/vocMap': { printed: '+2.0', shown: '+1.0', interval: '[+0.9, +1.1]' },
  // blazeface-widerface-quant-post @640 medium: 85.1 - 89.2 = -4.1, -/+ 0.1 -> [-4.2, -4.0]
  'quant-widerface/2/widerMedium': { printed: '-3.9', shown: '-4.1', interval: '[-4.2, -4.0]' },
};

/**
 * Printed deltas inside their interval only when the source truncated rather than rounded to nearest: the
 * MobileNetV1 r578 model size, 31.30 vs 94.60 MB, allows (31.295 - 94.605) / 94.605 = -66.9204 % to
 * (31.305 - 94.595) / 94.595 = -66.9063 %; to nearest that is -66.92 or -66.91, truncated -66.90 as printed.
 * Shown as printed (consistent), with `check.nearest === false`.
 */
const EXPECTED_TRUNCATED_ONLY = ['prune-coco/10/modelSizeMb', 'prune-coco/11/modelSizeMb', 'prune-coco/12/modelSizeMb', 'prune-distill-coco/6/modelSizeMb', 'prune-distill-coco/7/modelSizeMb', 'prune-distill-coco/8/modelSizeMb'];

const SEED_SECTIONS = ['prune-coco', 'prune-voc', 'prune-distill-coco', 'prune-distill-voc', 'prune-latency', 'distill-coco', 'distill-voc', 'quant-coco', 'quant-widerface'];
let rows: TZooRow[] = [];
const tables = parseTables(fs.readFileSync(DOC, 'utf8'));

beforeAll(async () => {
  // Only the seed's sections: other areas may add measured rows to the shared test database.
  rows = (await listZooRows(await getDb(), parseZooQuery({}))).rows.filter((r) => r.source === 'reported' && SEED_SECTIONS.includes(r.section.slug));
});
afterAll(async () => {
  await closeDb();
});

describe('seed document', () => {
  it('has the 9 tables and 85 rows the issue lists', () => {
    expect(tables.map((t) => t.rows.length)).toEqual([12, 9, 8, 6, 9, 6, 6, 20, 9]);
  });
});

describe('every cell of the seed against the database', () => {
  it('serves 85 published rows in 9 sections', () => {
    expect(rows).toHaveLength(85);
    expect(new Set(rows.map((r) => r.section.slug)).size).toBe(9);
    expect(rows.every((r) => r.source === 'reported')).toBe(true);
  });

  it('matches every cell (values exactly; deltas as printed unless outside their rounding interval)', () => {
    // The zoo keeps the document's section order.
    expect([...new Set(rows.map((r) => r.section.slug))]).toEqual(SEED_SECTIONS);
    const flagged: Record<string, { printed: string; shown: string; interval: string }> = {};
    const truncatedOnly: string[] = [];
    let checked = 0;
    let printedDeltas = 0;
    let shownAsPrinted = 0;
    tables.forEach((table, ti) => {
      const sectionSlug = SEED_SECTIONS[ti];
      const sectionRows = rows.filter((r) => r.section.slug === sectionSlug).sort((a, b) => a.position - b.position);
      expect(sectionRows, `section ${sectionSlug}`).toHaveLength(table.rows.length);
      table.rows.forEach((cells, ri) => {
        const row = sectionRows[ri];
        table.header.forEach((h, ci) => {
          const printed = cells[ci];
          const where = `${sectionSlug} row ${ri + 1} column "${h}" ("${printed}")`;
          checked++;
          if (h === '骨架网络') return expect(row.model.backbone, where).toBe(canon(printed));
          if (h === '模型') return expect(row.model.name, where).toBe(printed);
          if (h.endsWith('策略')) return expect(row.model.strategy ?? 'baseline', where).toBe(printed);
          if (h === '数据集') return expect(row.model.dataset, where).toBe(canon(printed));
          if (h === '预训练权重') return expect(row.model.pretraining, where).toBe(canon(printed));
          if (h === '输入尺寸') return expect(row.inputSize, where).toBe(Number(printed));
          if (h.startsWith('teacher')) return expect(row.teacher?.text ?? '-', where).toBe(printed);
          if (h === '下载') {
            const url = /\((https?:\/\/[^)]+)\)/.exec(printed)?.[1];
            return expect(row.download?.url, where).toBe(url);
          }
          const columnOf = METRIC_HEADERS[h];
          if (!columnOf) throw new Error(`unmapped column "${h}"`);
          const cell = row.cells[columnOf(row.model.datasetSlug)];
          if (printed === '-') return expect(cell, where).toBeUndefined();
          const [number, printedDelta] = splitPrinted(printed);
          expect(cell, where).toBeDefined();
          expect(cell.value.toFixed(cell.decimals), where).toBe(number);
          if (printedDelta === undefined) return expect(cell.comparable, `${where}: the document prints no delta for a baseline`).toBe(false);
          if (printedDelta === '-') return expect(cell.delta, `${where}: no baseline number`).toBeNull();
          printedDeltas++;
          const d = cell.delta!;
          expect(d, where).not.toBeNull();
          expect(d.check?.printed, `${where}: the seed declares the document's delta`).toBe(printedDelta);
          if (d.text === printedDelta) {
            expect(d.origin, where).toBe('published');
            expect(d.check?.consistent, where).toBe(true);
            expect(cell.text, where).toBe(printed);
            if (!d.check!.nearest) truncatedOnly.push(`${sectionSlug}/${ri + 1}/${columnOf(row.model.datasetSlug)}`);
            shownAsPrinted++;
          } else {
            // Shown instead: the delta computed from the two printed numbers.
            expect(d.origin, where).toBe('computed');
            expect(d.check?.consistent, where).toBe(false);
            expect(d.text, where).toBe(formatDelta(computeDelta(cell.metric, { value: cell.value, decimals: cell.decimals }, cell.baseline!)!));
            flagged[`${sectionSlug}/${ri + 1}/${columnOf(row.model.datasetSlug)}`] = { printed: printedDelta, shown: d.text, interval: d.check!.interval!.text };
          }
        });
      });
    });
    expect(checked).toBeGreaterThan(500);
    expect(printedDeltas).toBe(122);
    expect(flagged).toEqual(EXPECTED_FLAGGED);
    expect(truncatedOnly).toEqual(EXPECTED_TRUNCATED_ONLY);
    // The bar: at least 119 of the 122 printed deltas appear unchanged.
    expect(shownAsPrinted).toBe(122 - Object.keys(EXPECTED_FLAGGED).length);
    expect(shownAsPrinted).toBeGreaterThanOrEqual(119);
  });

  it('shows `(-)` for the Objects365 R50vd-dcn aware rows at 416 and 320: its baseline was published at 608 only', () => {
    const aware = rows.filter((r) => r.model.slug === 'yolov3-r50vd-dcn-obj365-coco-quant-aware');
    expect(aware.map((r) => [r.inputSize, r.cells.boxAp.text])).toEqual([
      [608, '40.6(-0.8)'], // 40.6 - 41.4 = -0.8
      [416, '37.5(-)'],
      [320, '34.1(-)'],
    ]);
    expect(rows.filter((r) => r.model.slug === 'yolov3-r50vd-dcn-obj365-coco').map((r) => r.inputSize)).toEqual([608]);
  });
});

/**
 * The notes under the tables also print deltas. Each claim quotes the note (the quote must occur in
 * the document) and names the number it describes; the test compares it with the computed delta.
 */
const NOTE_CLAIMS: Array<{ quote: string; model: string; column: string; inputSize: number; claimed: string }> = [
  { quote: '分别减少了`16.06%`和`34.27%`的FLOPs', model: 'yolov3-r50vd-dcn-coco-prune-sensity', column: 'gflops', inputSize: 608, claimed: '-16.06%' },
  { quote: '分别减少了`16.06%`和`34.27%`的FLOPs', model: 'yolov3-mobilenet-v1-coco-prune-sensity', column: 'gflops', inputSize: 608, claimed: '-34.27%' },
  { quote: '精度分别提高`0.7`和`0.9`', model: 'yolov3-r50vd-dcn-coco-prune-sensity', column: 'boxAp', inputSize: 608, claimed: '+0.7' },
  { quote: '精度分别提高`0.7`和`0.9`', model: 'yolov3-mobilenet-v1-coco-prune-sensity', column: 'boxAp', inputSize: 608, claimed: '+0.9' },
  { quote: '分别减少了`32.98%`和`69.64%`的FLOPs', model: 'yolov3-r50vd-dcn-coco-prune-r578', column: 'gflops', inputSize: 608, claimed: '-32.98%' },
  { quote: '分别减少了`32.98%`和`69.64%`的FLOPs', model: 'yolov3-mobilenet-v1-coco-prune-r578', column: 'gflops', inputSize: 608, claimed: '-69.64%' },
  { quote: '精度分别降低`0.8`和`1.5`', model: 'yolov3-r50vd-dcn-coco-prune-r578', column: 'boxAp', inputSize: 608, claimed: '-0.8' },
  { quote: '精度分别降低`0.8`和`1.5`', model: 'yolov3-mobilenet-v1-coco-prune-r578', column: 'boxAp', inputSize: 608, claimed: '-1.5' },
  { quote: '分别减少了`34.55%`和`69.57%`的FLOPs', model: 'yolov3-mobilenet-v1-voc-prune-sensity', column: 'gflops', inputSize: 608, claimed: '-34.55%' },
  { quote: '分别减少了`34.55%`和`69.57%`的FLOPs', model: 'yolov3-mobilenet-v1-voc-prune-r578', column: 'gflops', inputSize: 608, claimed: '-69.57%' },
  { quote: '模型减少了`32.94%`的FLOPs', model: 'yolov3-r50vd-dcn-coco-prune-r578-distill', column: 'gflops', inputSize: 608, claimed: '-32.94%' },
  { quote: '输入图像尺寸为608时精度提高`0.6`', model: 'yolov3-r50vd-dcn-coco-prune-r578-distill', column: 'boxAp', inputSize: 608, claimed: '+0.6' },
  { quote: '`YOLOv3-MobileNetV1`模型减少了`69.64%`的FLOPs', model: 'yolov3-mobilenet-v1-coco-prune-r578-distill', column: 'gflops', inputSize: 608, claimed: '-69.64%' },
  { quote: '输入图像尺寸为608时在单卡Tesla P4(TensorRT)推理时间减少`39.21%`', model: 'yolov3-mobilenet-v1-voc-prune-r578', column: 'latency:tesla-p4-trt', inputSize: 608, claimed: '-39.21%' },
  { quote: '推理时延分别减少`57.97%`, `55.98%`和`57.43%`', model: 'yolov3-mobilenet-v1-voc-prune-r578', column: 'latency:kirin-970', inputSize: 608, claimed: '-57.97%' },
  { quote: '推理时延分别减少`57.97%`, `55.98%`和`57.43%`', model: 'yolov3-mobilenet-v1-voc-prune-r578', column: 'latency:snapdragon-835', inputSize: 608, claimed: '-55.98%' },
  { quote: '推理时延分别减少`57.97%`, `55.98%`和`57.43%`', model: 'yolov3-mobilenet-v1-voc-prune-r578', column: 'latency:snapdragon-855', inputSize: 608, claimed: '-57.43%' },
  { quote: '推理时间分别减少`7.98%`和`19.35%`', model: 'yolov3-r50vd-dcn-coco-prune-sensity', column: 'latency:tesla-p4-trt', inputSize: 608, claimed: '-7.98%' },
  { quote: '推理时间分别减少`7.98%`和`19.35%`', model: 'yolov3-r50vd-dcn-coco-prune-r578', column: 'latency:tesla-p4-trt', inputSize: 608, claimed: '-19.35%' },
  { quote: '输入图像尺寸为608时`YOLOv3-MobileNetV1`模型精度提高`2.1`', model: 'yolov3-mobilenet-v1-coco-distill-split', column: 'boxAp', inputSize: 608, claimed: '+2.1' },
  { quote: '输入图像尺寸为608时`YOLOv3-MobileNetV1`模型精度提高`2.8`', model: 'yolov3-mobilenet-v1-voc-distill-l2', column: 'vocMap', inputSize: 608, claimed: '+2.8' },
  { quote: '输入图像尺寸为608时精度分别降低`1.4`和`1.2`', model: 'yolov3-mobilenet-v1-coco-quant-post', column: 'boxAp', inputSize: 608, claimed: '-1.4' },
  { quote: '输入图像尺寸为608时精度分别降低`0.5`和`1.1`', model: 'yolov3-r34-coco-quant-aware', column: 'boxAp', inputSize: 608, claimed: '-1.1' },
  { quote: '输入图像尺寸为608时精度降低`0.8`', model: 'yolov3-r50vd-dcn-obj365-coco-quant-aware', column: 'boxAp', inputSize: 608, claimed: '-0.8' },
  { quote: '精度分别降低`1.0`, `1.3`和`2.1`', model: 'blazeface-widerface-quant-aware', column: 'widerHard', inputSize: 640, claimed: '-2.1' },
  { quote: '精度分别降低`1.2`, `1.2`和`1.1`', model: 'blazeface-lite-widerface-quant-aware', column: 'widerHard', inputSize: 640, claimed: '-1.1' },
  { quote: '精度分别降低`0.6`, `1.0`和`1.6`', model: 'blazeface-nas-widerface-quant-aware', column: 'widerHard', inputSize: 640, claimed: '-1.6' },
];

/**
 * Note claims outside the interval their two numbers allow (hand computation). Every other claim is
 * consistent and equals the delta the zoo shows for that cell.
 */
const EXPECTED_NOTE_FLAGGED = [
  // The r578 note says ResNet50-vd-dcn saves 32.98 % FLOPs (the table prints 32.94 %). 29.98 vs 44.71 allows
  // (29.975 - 44.715) / 44.715 = -32.9643 % to (29.985 - 44.705) / 44.705 = -32.9270 %: outward [-32.97, -32.92] %.
  'yolov3-r50vd-dcn-coco-prune-r578 gflops@608: note -32.98%, allowed [-32.97, -32.92] %',
];

describe('deltas printed in the notes', () => {
  it('every quoted claim occurs in the document', () => {
    const md = fs.readFileSync(DOC, 'utf8');
    for (const c of NOTE_CLAIMS) expect(md, c.quote).toContain(c.quote);
  });
  it('lists exactly the notes whose delta lies outside its rounding interval; the others match the zoo', () => {
    const flagged: string[] = [];
    for (const c of NOTE_CLAIMS) {
      const row = rows.find((r) => r.model.slug === c.model && r.inputSize === c.inputSize);
      const cell = row?.cells[c.column];
      expect(cell?.baseline, `${c.model} ${c.column}`).toBeTruthy();
      const claimed = parsePrintedDelta(c.claimed)!;
      const interval = deltaInterval(claimed.kind, { value: cell!.value, decimals: cell!.decimals }, cell!.baseline!)!;
      const check = checkPrintedDelta(interval, claimed);
      if (check.consistent) expect(cell!.delta?.text, `${c.model} ${c.column}@${c.inputSize}`).toBe(c.claimed);
      else flagged.push(`${c.model} ${c.column}@${c.inputSize}: note ${c.claimed}, allowed ${formatDeltaInterval(claimed.kind, check)}`);
    }
    expect([...new Set(flagged)].sort()).toEqual([...EXPECTED_NOTE_FLAGGED].sort());
  });
});
