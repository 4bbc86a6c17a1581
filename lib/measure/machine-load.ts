/**
 * Noise guard: how busy was the machine while a benchmark ran?
 *
 * Sources (Linux; elsewhere every reading is null and the load is `available: false`, never busy):
 * - /proc/loadavg: 1-minute load average (runnable + uninterruptible tasks, exponentially averaged;
 *   it includes the benchmark's own thread).
 * - /proc/stat, first line "cpu": cumulative jiffies of all CPUs in the order
 *   user nice system idle iowait irq softirq steal [guest guest_nice]. guest time is already inside
 *   user/nice, so it is not added again. busy = user + nice + system + irq + softirq;
 *   total = busy + idle + iowait + steal.
 * - /proc/self/stat fields 14 and 15 (utime, stime): CPU jiffies of THIS process, all its threads
 *   (onnxruntime's intra-op threads are threads of the process).
 *
 * Derived over a window [before, after] (both counters in the same USER_HZ jiffies, so no clock rate
 * is needed):
 *   otherCores   = max(0, Δbusy − Δown) / Δtotal × cores   (average cores used by other processes)
 *   ownCores     = Δown / Δtotal × cores
 *   stealFraction = Δsteal / Δtotal                          (share of CPU time the hypervisor took)
 * Resolution is one jiffy (10 ms at USER_HZ = 100) per CPU, so windows under ~1 s are coarse.
 *
 * A measurement is `busy` when any threshold of `NoiseThresholds` is exceeded (settings in lib/env.ts:
 * SLIMBOARD_NOISE_MAX_LOAD_PER_CORE, SLIMBOARD_NOISE_MAX_OTHER_CORES, SLIMBOARD_NOISE_MAX_STEAL_FRACTION).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { z } from 'zod';
import { getEnv } from '../env';
import { SlimboardError } from '../errors';

/** Cumulative jiffies of all CPUs from /proc/stat's "cpu" line. */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export interface LoadAverage {
  load1: number;
  load5: number;
  load15: number;
}

/** Parse /proc/loadavg ("0.52 0.58 0.59 2/394 12345"). */
export function parseLoadAverage(text: string): LoadAverage {
  const parts = text.trim().split(/\s+/);
  const [load1, load5, load15] = parts.slice(0, 3).map(Number);
  if (parts.length < 3 || ![load1, load5, load15].every((x) => Number.isFinite(x) && x >= 0)) {
    throw new SlimboardError('bad_proc_file', `/proc/loadavg: expected three load averages, got "${text.trim().slice(0, 60)}"`);
  }
  return { load1, load5, load15 };
}

/** Parse the aggregate "cpu" line of /proc/stat and count the per-CPU "cpuN" lines. */
export function parseProcStat(text: string): { total: CpuTimes; cores: number } {
  const lines = text.split('\n');
  const line = lines.find((l) => /^cpu\s/.test(l));
  if (!line) throw new SlimboardError('bad_proc_file', '/proc/stat: no aggregate "cpu" line');
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  if (v.length < 4 || v.some((x) => !Number.isFinite(x) || x < 0)) {
    throw new SlimboardError('bad_proc_file', `/proc/stat: cannot read the "cpu" line "${line.slice(0, 80)}"`);
  }
  const at = (i: number) => v[i] ?? 0;
  const cores = lines.filter((l) => /^cpu\d+\s/.test(l)).length;
  return {
    total: { user: at(0), nice: at(1), system: at(2), idle: at(3), iowait: at(4), irq: at(5), softirq: at(6), steal: at(7) },
    cores: Math.max(1, cores),
  };
}

/** utime + stime (jiffies) from /proc/<pid>/stat; the command name may hold spaces and parentheses. */
export function parseProcessCpuTicks(text: string): number {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new SlimboardError('bad_proc_file', '/proc/self/stat: no ")" after the command name');
  const fields = text.slice(close + 1).trim().split(/\s+/);
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new SlimboardError('bad_proc_file', '/proc/self/stat: cannot read utime and stime');
  }
  return utime + stime;
}

/** One reading of the counters; null where the file is missing (not Linux) or unreadable. */
export interface LoadSnapshot {
  atMs: number;
  cores: number;
  cpu: CpuTimes | null;
  ownTicks: number | null;
  loadAverage: LoadAverage | null;
}

export type ProcReader = (path: string) => string | null;

const readProc: ProcReader = (p) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
};

function tryParse<T>(text: string | null, parse: (t: string) => T): T | null {
  if (text === null) return null;
  try {
    return parse(text);
  } catch {
    return null;
  }
}

export function takeLoadSnapshot(read: ProcReader = readProc, now: () => number = () => performance.now()): LoadSnapshot {
  const stat = tryParse(read('/proc/stat'), parseProcStat);
  return {
    atMs: now(),
    cores: stat?.cores ?? Math.max(1, os.cpus().length),
    cpu: stat?.total ?? null,
    ownTicks: tryParse(read('/proc/self/stat'), parseProcessCpuTicks),
    loadAverage: tryParse(read('/proc/loadavg'), parseLoadAverage),
  };
}

export const ZMachineLoad = z.object({
  /** false where /proc is missing: nothing was measured (and nothing is flagged). */
  available: z.boolean(),
  cores: z.number().int().positive(),
  elapsedMs: z.number().nonnegative(),
  loadAverage1m: z.object({ before: z.number().nullable(), after: z.number().nullable() }),
  /** Average number of cores used by other processes during the window. */
  otherCores: z.number().nullable(),
  /** Average number of cores used by this process during the window. */
  ownCores: z.number().nullable(),
  /** Share of CPU time taken by the hypervisor (steal), 0..1. */
  stealFraction: z.number().nullable(),
  busy: z.boolean(),
  /** Why it is busy: one sentence per exceeded threshold. */
  reasons: z.array(z.string()),
});
export type TMachineLoad = z.infer<typeof ZMachineLoad>;

export interface NoiseThresholds {
  /** 1-minute load average divided by logical cores (the benchmark's own thread counts). */
  maxLoadPerCore: number;
  /** Average cores used by other processes during the run. */
  maxOtherCores: number;
  /** Share of CPU time stolen by the hypervisor. */
  maxStealFraction: number;
}

export function noiseThresholdsFromEnv(): NoiseThresholds {
  const env = getEnv();
  return {
    maxLoadPerCore: env.SLIMBOARD_NOISE_MAX_LOAD_PER_CORE,
    maxOtherCores: env.SLIMBOARD_NOISE_MAX_OTHER_CORES,
    maxStealFraction: env.SLIMBOARD_NOISE_MAX_STEAL_FRACTION,
  };
}

const busyOf = (c: CpuTimes) => c.user + c.nice + c.system + c.irq + c.softirq;
const totalOf = (c: CpuTimes) => busyOf(c) + c.idle + c.iowait + c.steal;

/** Machine load over the window between two snapshots, judged against the thresholds. */
export function machineLoadBetween(before: LoadSnapshot, after: LoadSnapshot, thresholds: NoiseThresholds): TMachineLoad {
  const cores = after.cores;
  let otherCores: number | null = null;
  let ownCores: number | null = null;
  let stealFraction: number | null = null;
  if (before.cpu && after.cpu) {
    const dTotal = totalOf(after.cpu) - totalOf(before.cpu);
    if (dTotal > 0) {
      const dBusy = busyOf(after.cpu) - busyOf(before.cpu);
      const dOwn = before.ownTicks !== null && after.ownTicks !== null ? after.ownTicks - before.ownTicks : null;
      stealFraction = (after.cpu.steal - before.cpu.steal) / dTotal;
      if (dOwn !== null) {
        ownCores = (dOwn / dTotal) * cores;
        otherCores = (Math.max(0, dBusy - dOwn) / dTotal) * cores;
      } else {
        otherCores = (dBusy / dTotal) * cores;
      }
    }
  }
  const loadBefore = before.loadAverage?.load1 ?? null;
  const loadAfter = after.loadAverage?.load1 ?? null;
  const reasons: string[] = [];
  const maxLoad = Math.max(loadBefore ?? 0, loadAfter ?? 0);
  if (maxLoad / cores > thresholds.maxLoadPerCore) {
    reasons.push(`load average ${maxLoad.toFixed(2)} on ${cores} cores is above ${thresholds.maxLoadPerCore} per core`);
  }
  if (otherCores !== null && otherCores > thresholds.maxOtherCores) {
    reasons.push(`other processes used ${otherCores.toFixed(2)} cores on average (limit ${thresholds.maxOtherCores})`);
  }
  if (stealFraction !== null && stealFraction > thresholds.maxStealFraction) {
    const limit = (thresholds.maxStealFraction * 100).toFixed(1);
    reasons.push(`the hypervisor stole ${(stealFraction * 100).toFixed(1)} % of CPU time (limit ${limit} %)`);
  }
  return {
    available: before.cpu !== null && after.cpu !== null,
    cores,
    elapsedMs: Math.max(0, after.atMs - before.atMs),
    loadAverage1m: { before: loadBefore, after: loadAfter },
    otherCores,
    ownCores,
    stealFraction,
    busy: reasons.length > 0,
    reasons,
  };
}

/** One line for CLI output: "load 0.52 -> 1.10, other processes 0.03 cores, steal 0.0 %" (+ BUSY reasons). */
export function describeMachineLoad(m: TMachineLoad): string {
  if (!m.available) return 'machine load not measured (no /proc)';
  const f = (x: number | null, d = 2) => (x === null ? '?' : x.toFixed(d));
  const steal = m.stealFraction === null ? '?' : (m.stealFraction * 100).toFixed(1);
  const base =
    `load ${f(m.loadAverage1m.before)} -> ${f(m.loadAverage1m.after)} on ${m.cores} cores, ` +
    `other processes ${f(m.otherCores)} cores, steal ${steal} %`;
  return m.busy ? `${base}  (BUSY: ${m.reasons.join('; ')}; numbers are noisy, measure again on a quiet machine)` : base;
}

export interface WaitForQuietOptions {
  /** Give up after this long (0: look once). */
  maxWaitMs: number;
  /** Length of each observation window. Default 1000 ms. */
  windowMs?: number;
  thresholds?: NoiseThresholds;
  signal?: AbortSignal;
  read?: ProcReader;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Watch the machine in windows of `windowMs` until one window is quiet (not busy by the thresholds)
 * or `maxWaitMs` has passed. Returns the last window's load and whether it was quiet; never throws
 * for a busy machine (the caller decides: benchmark anyway and flag it, or give up).
 */
export async function waitForQuietMachine(options: WaitForQuietOptions): Promise<{ quiet: boolean; waitedMs: number; load: TMachineLoad }> {
  const windowMs = options.windowMs ?? 1000;
  const thresholds = options.thresholds ?? noiseThresholdsFromEnv();
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  if (!(options.maxWaitMs >= 0) || !(windowMs > 0)) {
    throw new SlimboardError(
      'bad_arguments',
      `waitForQuietMachine: maxWaitMs must be >= 0 and windowMs > 0, got ${options.maxWaitMs} and ${windowMs}`,
    );
  }
  const start = now();
  for (;;) {
    options.signal?.throwIfAborted();
    const before = takeLoadSnapshot(options.read, now);
    await sleep(windowMs);
    const load = machineLoadBetween(before, takeLoadSnapshot(options.read, now), thresholds);
    const waitedMs = now() - start;
    if (!load.busy || waitedMs >= options.maxWaitMs) return { quiet: !load.busy, waitedMs, load };
  }
}
