import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateCoco } from '../../lib/metrics/coco';
import { readCocoGroundTruthFile, readCocoResultsFile } from '../../lib/metrics/formats/coco-json';
import { generateCocoVal2017Case } from './coco-val2017-case';

describe('val2017-sized case generator (quick mode: 40 images)', () => {
  it('is deterministic, loads with the COCO loaders, and has crowd GT, ties and <= 100 detections per image', () => {
    const a = generateCocoVal2017Case(mkdtempSync(path.join(tmpdir(), 'slimboard-case-')), 7, 40);
    const b = generateCocoVal2017Case(mkdtempSync(path.join(tmpdir(), 'slimboard-case-')), 7, 40);
    expect(readFileSync(a.gtPath)).toEqual(readFileSync(b.gtPath));
    expect(readFileSync(a.dtPath)).toEqual(readFileSync(b.dtPath));
    const gt = readCocoGroundTruthFile(a.gtPath);
    const dt = readCocoResultsFile(a.dtPath, gt);
    expect(gt.imageIds).toHaveLength(40);
    expect(gt.categories).toHaveLength(80);
    expect(dt.detImage.length).toBe(a.detections);
    const perImage = new Map<number, number>();
    dt.detImage.forEach((i) => perImage.set(i, (perImage.get(i) ?? 0) + 1));
    expect(Math.max(...perImage.values())).toBeLessThanOrEqual(100);
    expect(new Set(dt.detScore).size).toBeLessThan(dt.detScore.length); // rounded scores tie
    expect(Array.from(gt.annCrowd)).toContain(1);
    const ap = evaluateCoco(gt, dt).stats[0];
    expect(ap).toBeGreaterThan(0.1);
    expect(ap).toBeLessThan(0.9);
  });
});
