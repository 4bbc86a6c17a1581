/**
 * Reading the reference-parity fixtures under lib/metrics/__fixtures__ (used by the tests).
 * Golden arrays are run-length encoded: [[value, count], ...] in C order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES_DIR = path.join(import.meta.dirname, '__fixtures__');

export function readFixture<T>(rel: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, rel), 'utf8')) as T;
}

/** Case names `<name>` of `<dir>/<name>.input.json`. */
export function fixtureCases(dir: string): string[] {
  return readdirSync(path.join(FIXTURES_DIR, dir))
    .filter((f) => f.endsWith('.input.json'))
    .map((f) => f.slice(0, -'.input.json'.length))
    .sort();
}

export function decodeRunLength(runs: Array<[number, number]>): Float64Array {
  const n = runs.reduce((s, r) => s + r[1], 0);
  const out = new Float64Array(n);
  let i = 0;
  for (const [v, c] of runs) {
    out.fill(v, i, i + c);
    i += c;
  }
  return out;
}

/** Largest |a[i] - b[i]| (Infinity on length mismatch or when exactly one side is NaN). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) {
      if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
      continue;
    }
    m = Math.max(m, Math.abs(a[i] - b[i]));
  }
  return m;
}
