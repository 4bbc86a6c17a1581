import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SlimboardError } from '../../errors';
import { evaluateVoc } from '../voc';
import { readVocDirectory } from './voc-directory';
import { parseVocDetections } from './voc-json';
import { parseXml } from './xml';

function vocDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'slimboard-voc-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
const xml = (w: number, h: number, objects: string) =>
  `<?xml version="1.0"?>\n<!-- VOC -->\n<annotation><filename>x.jpg</filename><size><width>${w}</width><height>${h}</height><depth>3</depth></size>${objects}</annotation>`;
const obj = (name: string, b: number[], difficult?: number) =>
  `<object><name>${name}</name>${difficult === undefined ? '' : `<difficult>${difficult}</difficult>`}<bndbox><xmin>${b[0]}</xmin><ymin>${b[1]}</ymin><xmax>${b[2]}</xmax><ymax>${b[3]}</ymax></bndbox></object>`;

describe('VOC directory (PaddleDetection VOCDataSet semantics)', () => {
  it('clips to the image, drops empty boxes, skips images without objects, keeps list order', () => {
    const dir = vocDir({
      'label_list.txt': 'dog\ncat\n',
      'ImageSets/Main/test.txt': '002\n001\n003\n',
      'Annotations/001.xml': xml(100, 80, obj('cat', [-5, 10, 120, 90], 1) + obj('dog', [50, 50, 40, 60])),
      'Annotations/002.xml': xml(100, 80, obj('dog', [1, 2, 30, 40])),
      'Annotations/003.xml': xml(100, 80, ''),
    });
    const gt = readVocDirectory(dir);
    expect(gt.classNames).toEqual(['dog', 'cat']);
    expect(gt.images.map((i) => i.id)).toEqual(['002', '001']);
    // 001: cat clipped to [0, 10, 99, 79] (w-1, h-1), difficult; dog has xmax < xmin -> dropped
    expect(Array.from(gt.images[1].boxes)).toEqual([0, 10, 99, 79]);
    expect(Array.from(gt.images[1].labels)).toEqual([1]);
    expect(Array.from(gt.images[1].difficult)).toEqual([1]);
    // detections on the skipped image 003 are "unknown image" (it is not evaluated, as in the reference)
    expect(() => parseVocDetections([{ image_id: '003', label: 0, score: 1, box: [0, 0, 1, 1] }], gt, 'dt.json')).toThrow(/image_id "003" is not an image/);
    const dt = parseVocDetections([{ image_id: '002', label: 0, score: 0.9, box: [1, 2, 30, 40] }], gt, 'dt.json');
    expect(evaluateVoc(gt, dt, { apType: 'integral', evaluateDifficult: false }).apPerClass).toEqual([1, null]);
  });

  it('BAD INPUT: unknown class, missing annotation, missing image set, malformed XML name the file', () => {
    const bad = (files: Record<string, string>, re: RegExp) => {
      const dir = vocDir(files);
      expect(() => readVocDirectory(dir)).toThrow(SlimboardError);
      expect(() => readVocDirectory(dir)).toThrow(re);
    };
    bad({ 'ImageSets/Main/test.txt': 'a\n', 'Annotations/a.xml': xml(10, 10, obj('unicorn', [1, 1, 5, 5])) }, /a\.xml: object\[0\]: class "unicorn" is not in the class list/);
    bad({ 'ImageSets/Main/test.txt': 'a\n' }, /image "a": annotation .*a\.xml does not exist/);
    bad({ 'Annotations/a.xml': xml(10, 10, '') }, /no image set ImageSets\/Main\/test\.txt or ImageSets\/Main\/val\.txt/);
    bad({ 'ImageSets/Main/val.txt': 'a\n', 'Annotations/a.xml': '<annotation><size>' }, /a\.xml: malformed XML/);
  });
});

describe('XML parser', () => {
  it('reads nested elements, entities, CDATA and ignores attributes and comments', () => {
    const root = parseXml('<?xml version="1.0"?><a x="1"><!-- c --><b>1 &amp; 2</b><c><![CDATA[<raw>]]></c><d/></a>', 't.xml');
    expect(root.name).toBe('a');
    expect(root.children.map((c) => [c.name, c.text])).toEqual([['b', '1 & 2'], ['c', '<raw>'], ['d', '']]);
    expect(() => parseXml('<a><b></a>', 't.xml')).toThrow(/t\.xml: malformed XML at offset \d+ \(<\/a> closes <b>\)/);
  });
});
