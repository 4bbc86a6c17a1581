import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokenLinks, headingAnchors, headingSlug, linkTargets } from './docs-links';

const ROOT = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-docs-links-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('headingSlug (GitHub anchors)', () => {
  it('drops punctuation, keeps hyphens and underscores, turns spaces into hyphens', () => {
    expect(headingSlug('Speed (COCO, val2017-sized)')).toBe('speed-coco-val2017-sized');
    expect(headingSlug('Interactivity with 2,000 points (explorer)')).toBe('interactivity-with-2000-points-explorer');
    expect(headingSlug('Inference: benchmark scripts and results')).toBe('inference-benchmark-scripts-and-results');
    expect(headingSlug('`bench`')).toBe('bench');
    expect(headingSlug('Pareto frontier: definition')).toBe('pareto-frontier-definition');
    expect(headingSlug('snake_case & more')).toBe('snake_case--more');
  });

  it('numbers repeated headings and ignores headings inside code fences', () => {
    const anchors = headingAnchors('# Tests\n## Tests\n```\n# not a heading\n```\n## Other ##\n');
    expect([...anchors]).toEqual(['tests', 'tests-1', 'other']);
  });
});

describe('linkTargets', () => {
  it('finds links and images, not code', () => {
    const md = 'a [x](a.md) and ![i](img/p.png "t")\n`[no](code.md)`\n```\n[no](fenced.md)\n```\n[y](<b c.md#h>)';
    expect(linkTargets(md)).toEqual([
      { line: 1, target: 'a.md' },
      { line: 1, target: 'img/p.png' },
      { line: 6, target: 'b c.md#h' },
    ]);
  });
});

describe('brokenLinks', () => {
  it('reports a missing file and a missing anchor, accepts good ones and skips URLs', () => {
    fs.writeFileSync(path.join(tmp, 'target.md'), '# Title\n## Some part\n');
    const file = path.join(tmp, 'index.md');
    fs.writeFileSync(
      file,
      '[ok](target.md) [ok](target.md#some-part) [ok](#local) [web](https://example.com/x.md)\n' +
        '[gone](missing.md)\n[bad anchor](target.md#nope)\n## Local\n',
    );
    expect(brokenLinks(file).map((b) => [b.line, b.target])).toEqual([
      [2, 'missing.md'],
      [3, 'target.md#nope'],
    ]);
  });
});

describe('README.md and docs/*.md', () => {
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
  const files = [path.join(ROOT, 'README.md'), ...docs.map((f) => path.join(ROOT, 'docs', f))];

  it('README.md is at most 200 lines and links into docs/', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(201); // 200 lines plus the final newline
    const linked = new Set(linkTargets(readme).map((l) => l.target.split('#')[0]));
    for (const doc of ['conventions', 'architecture', 'pipeline', 'demo-zoo', 'benchmarks']) {
      expect(linked, `README links docs/${doc}.md`).toContain(`docs/${doc}.md`);
    }
  });

  it.each(files.map((f) => [path.relative(ROOT, f), f]))('every relative link in %s resolves', (_name, file) => {
    expect(brokenLinks(file)).toEqual([]);
  });
});
