import { readFileSync } from 'node:fs';
import { SlimboardError } from '../../errors';

/** Read a UTF-8 file, naming it in the error. */
export function readInputFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SlimboardError('bad_input', `${path}: cannot read file (${code ?? (e as Error).message})`);
  }
}

/** JSON.parse with a one-line error naming the file. */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SlimboardError('bad_input', `${source}: malformed JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

export function readJsonFile(path: string): unknown {
  return parseJsonText(readInputFile(path).toString('utf8'), path);
}

/** Short rendering of a bad value for an error message. */
export function describeValue(v: unknown): string {
  let s: string;
  try {
    s = v === undefined ? 'undefined' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function badItem(source: string, item: string, problem: string): SlimboardError {
  return new SlimboardError('bad_input', `${source}: ${item}: ${problem}`);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A finite number field, or an error naming source, item and field. */
export function requireFiniteNumber(obj: Record<string, unknown>, field: string, source: string, item: string): number {
  const v = obj[field];
  if (v === undefined) throw badItem(source, item, `missing field "${field}"`);
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw badItem(source, item, `"${field}" must be a finite number, got ${describeValue(v)}`);
  return v;
}

/** An array of exactly `n` finite numbers. */
export function requireNumberTuple(obj: Record<string, unknown>, field: string, n: number, source: string, item: string): number[] {
  const v = obj[field];
  if (v === undefined) throw badItem(source, item, `missing field "${field}"`);
  if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw badItem(source, item, `"${field}" must be ${n} finite numbers, got ${describeValue(v)}`);
  }
  return v as number[];
}
