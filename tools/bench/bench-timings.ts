import os from 'node:os';

/**
 * The scale benches' timing loop and report: `rounds` rounds, each calling every named call once in turn (so a
 * change of machine load hits every call alike), then per call the median and every time, and the load average.
 */

export type TimedCalls = Record<string, (round: number) => Promise<unknown>>;

/** Every call's times in ms, round by round; `before(name)` runs untimed before each call (e.g. a cache clear). */
export async function timeRounds(calls: TimedCalls, rounds: number, before?: (name: string) => void): Promise<Record<string, number[]>> {
  const ms: Record<string, number[]> = Object.fromEntries(Object.keys(calls).map((k) => [k, []]));
  for (let i = 0; i < rounds; i++)
    for (const [name, call] of Object.entries(calls)) {
      before?.(name);
      const t = performance.now();
      await call(i);
      ms[name].push(performance.now() - t);
    }
  return ms;
}

/** The middle value (the upper one of the two middles for an even count); NaN for none. */
export function medianOf(xs: readonly number[]): number {
  return quantileOf(xs, 0.5);
}

/**
 * The `p` quantile (0 to 1) as the benches report it: the value at index floor(p × n) of the sorted values, the last
 * one at most (p95 of 20 values is the largest, of 40 the 39th); NaN for none.
 */
export function quantileOf(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  return [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
}

/** One line per call, `<name> median X ms [every time]`, then the time and load average. */
export function printTimings(ms: Record<string, number[]>, o: { decimals?: number; label?: string } = {}): void {
  const d = o.decimals ?? 0;
  const width = Math.max(...Object.keys(ms).map((k) => k.length)) + 2;
  for (const [name, xs] of Object.entries(ms))
    console.log(`${name.padEnd(width)} ${o.label ?? 'median'} ${medianOf(xs).toFixed(d)} ms  [${xs.map((x) => x.toFixed(d)).join(' ')}]`);
  console.log(timeAndLoad());
}

/** `<ISO time>  load <1, 5 and 15 min load averages>`, the line every scale bench prints with its figures. */
export function timeAndLoad(): string {
  return `${new Date().toISOString()}  load ${loadAverages()}`;
}

/** The 1, 5 and 15 min load averages, `1.23 1.11 0.98`. */
export function loadAverages(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}
