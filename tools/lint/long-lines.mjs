// Non-test source files that still have lines over the house limit of 140 characters.
//
//   node tools/lint/long-lines.mjs           list them with their long-line counts (exit 1 if any)
//   node tools/lint/long-lines.mjs --write   rewrite tools/lint/long-line-baseline.json from the current tree
//
// eslint.config.mjs turns `max-len` off for the files in long-line-baseline.json (the lines that predate the lint
// rule) and enforces it everywhere else. The list may only shrink: wrap a file's lines (by hand, or `npx prettier
// --write FILE`), then run this with --write. See docs/testing.md#lint-and-format.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const LIMIT = 140;
const BASELINE = 'tools/lint/long-line-baseline.json';
const TEST = /(\.test\.tsx?$)|(^e2e\/)|(^tests\/)/;
const SOURCE = /\.(ts|tsx|js|mjs|cjs)$/;

const files = execFileSync('git', ['ls-files'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => SOURCE.test(f) && !TEST.test(f) && fs.existsSync(f));
const counts = new Map();
for (const file of files) {
  const n = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => [...line].length > LIMIT).length;
  if (n > 0) counts.set(file, n);
}
const sorted = [...counts.keys()].sort();
if (process.argv.includes('--write')) {
  fs.writeFileSync(BASELINE, JSON.stringify(sorted, null, 2) + '\n');
  console.log(`${BASELINE}: ${sorted.length} files`);
} else {
  for (const f of sorted) console.log(`${String(counts.get(f)).padStart(4)}  ${f}`);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(`${total} line(s) over ${LIMIT} in ${sorted.length} file(s)`);
  if (sorted.length > 0) process.exit(1);
}
