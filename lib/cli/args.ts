import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SlimboardError } from '../errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util.parseArgs` with errors turned into one-line `SlimboardError`s (exit code 2).
 * Unknown flags are errors; positionals are allowed.
 */
export function parseCliArgs<O extends Options>(args: string[], options: O, command: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new SlimboardError('bad_arguments', `${command}: ${message}`);
  }
}

/** Parse a required number flag, naming the flag in the error. */
export function requireNumberFlag(
  value: string | undefined,
  flag: string,
  opts: { int?: boolean; min?: number; max?: number } = {},
): number {
  if (value === undefined) throw new SlimboardError('bad_arguments', `missing required flag --${flag}`);
  const n = Number(value);
  if (!Number.isFinite(n) || (opts.int && !Number.isInteger(n))) {
    throw new SlimboardError('bad_arguments', `--${flag} must be ${opts.int ? 'an integer' : 'a number'}, got "${value}"`);
  }
  if (opts.min !== undefined && n < opts.min) throw new SlimboardError('bad_arguments', `--${flag} must be >= ${opts.min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max) throw new SlimboardError('bad_arguments', `--${flag} must be <= ${opts.max}, got ${n}`);
  return n;
}

export function requireStringFlag(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new SlimboardError('bad_arguments', `missing required flag --${flag}`);
  return value;
}
