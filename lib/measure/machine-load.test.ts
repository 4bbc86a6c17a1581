import { describe, expect, it } from 'vitest';
import {
  describeMachineLoad,
  machineLoadBetween,
  parseLoadAverage,
  parseProcessCpuTicks,
  parseProcStat,
  takeLoadSnapshot,
  waitForQuietMachine,
  type NoiseThresholds,
  type ProcReader,
} from './machine-load';

const STAT_BEFORE = [
  'cpu  1000 10 500 8000 40 0 50 0 0 0',
  'cpu0 500 5 250 4000 20 0 25 0 0 0',
  'cpu1 500 5 250 4000 20 0 25 0 0 0',
  'intr 12345 0 0',
  'ctxt 999',
].join('\n');
// 200 jiffies later on 2 cores (1 s at USER_HZ 100): busy +150 (user +120, system +20, softirq +10), idle +40, steal +10.
const STAT_AFTER = [
  'cpu  1120 10 520 8040 40 0 60 10 0 0',
  'cpu0 560 5 260 4020 20 0 30 5 0 0',
  'cpu1 560 5 260 4020 20 0 30 5 0 0',
].join('\n');
const SELF = (ticks: [number, number]) =>
  `4242 (node (worker) x) R 1 4242 4242 0 -1 4194304 99 0 0 0 ${ticks[0]} ${ticks[1]} 0 0 20 0 7 0 786426 3133440 390 18446744073709551615`;

const T: NoiseThresholds = { maxLoadPerCore: 1, maxOtherCores: 0.25, maxStealFraction: 0.02 };

describe('parsers', () => {
  it('/proc/loadavg', () => {
    expect(parseLoadAverage('0.52 0.58 0.59 2/394 12345\n')).toEqual({ load1: 0.52, load5: 0.58, load15: 0.59 });
  });
  it('/proc/stat: aggregate cpu line and core count', () => {
    expect(parseProcStat(STAT_BEFORE)).toEqual({
      total: { user: 1000, nice: 10, system: 500, idle: 8000, iowait: 40, irq: 0, softirq: 50, steal: 0 },
      cores: 2,
    });
  });
  it('/proc/stat of an old kernel without steal: missing fields are 0', () => {
    const expected = { user: 1, nice: 2, system: 3, idle: 4, iowait: 0, irq: 0, softirq: 0, steal: 0 };
    expect(parseProcStat('cpu 1 2 3 4\ncpu0 1 2 3 4\n').total).toEqual(expected);
  });
  it('/proc/self/stat: utime + stime, with spaces and parentheses in the command name', () => {
    expect(parseProcessCpuTicks(SELF([70, 30]))).toBe(100);
  });
  it('EXPECTED FAILURE: malformed files name the file', () => {
    expect(() => parseLoadAverage('garbage')).toThrow(/\/proc\/loadavg/);
    expect(() => parseProcStat('intr 1 2')).toThrow(/no aggregate "cpu" line/);
    expect(() => parseProcStat('cpu a b c d')).toThrow(/cannot read the "cpu" line/);
    expect(() => parseProcessCpuTicks('4242 node R')).toThrow(/\/proc\/self\/stat/);
  });
});

function reader(files: Record<string, string | null>): ProcReader {
  return (p) => files[p] ?? null;
}

describe('machineLoadBetween', () => {
  const files = (stat: string, self: [number, number], loadavg: string) =>
    reader({ '/proc/stat': stat, '/proc/self/stat': SELF(self), '/proc/loadavg': loadavg });
  const before = takeLoadSnapshot(files(STAT_BEFORE, [70, 30], '0.50 0.4 0.3 1/2 3'), () => 0);
  it('hand golden: own 100 of 150 busy jiffies, 200 total on 2 cores', () => {
    const after = takeLoadSnapshot(files(STAT_AFTER, [150, 50], '1.10 0.5 0.3 1/2 3'), () => 1000);
    const m = machineLoadBetween(before, after, T);
    expect(m.available).toBe(true);
    expect(m.cores).toBe(2);
    expect(m.elapsedMs).toBe(1000);
    expect(m.ownCores).toBeCloseTo((100 / 200) * 2, 12);
    expect(m.otherCores).toBeCloseTo((50 / 200) * 2, 12);
    expect(m.stealFraction).toBeCloseTo(10 / 200, 12);
    expect(m.loadAverage1m).toEqual({ before: 0.5, after: 1.1 });
    // other 0.5 cores > 0.25, steal 5 % > 2 %; load 1.1 / 2 = 0.55 per core is fine.
    expect(m.busy).toBe(true);
    expect(m.reasons).toHaveLength(2);
    expect(m.reasons[0]).toMatch(/other processes used 0\.50 cores/);
    expect(m.reasons[1]).toMatch(/stole 5\.0 %/);
    expect(describeMachineLoad(m)).toMatch(/^load 0\.50 -> 1\.10 on 2 cores, other processes 0\.50 cores, steal 5\.0 %  \(BUSY: /);
  });
  it('quiet: all busy time is our own, no steal, low load', () => {
    const noSteal = STAT_AFTER.replace('cpu  1120 10 520 8040 40 0 60 10', 'cpu  1120 10 520 8050 40 0 60 0');
    const after = takeLoadSnapshot(files(noSteal, [220, 60], '0.9 0.5 0.3 1/2 3'), () => 1000);
    const m = machineLoadBetween(before, after, T);
    expect(m.otherCores).toBe(0);
    expect(m.stealFraction).toBe(0);
    expect(m.busy).toBe(false);
    expect(describeMachineLoad(m)).not.toMatch(/BUSY/);
  });
  it('a high load average alone flags busy', () => {
    const after = takeLoadSnapshot(files(STAT_BEFORE, [70, 30], '19.81 11.43 4.94 21/370 1'), () => 5);
    const m = machineLoadBetween(before, after, T);
    expect(m.busy).toBe(true);
    expect(m.reasons[0]).toMatch(/load average 19\.81 on 2 cores is above 1 per core/);
    // No jiffies passed: CPU shares are unknown, not zero.
    expect(m.otherCores).toBeNull();
  });
  it('degenerate: no /proc (not Linux) gives available false and never busy', () => {
    const none = takeLoadSnapshot(reader({}), () => 0);
    const m = machineLoadBetween(none, none, T);
    expect(m.available).toBe(false);
    expect(m.busy).toBe(false);
    expect(m.otherCores).toBeNull();
    expect(describeMachineLoad(m)).toMatch(/not measured/);
  });
});

describe('waitForQuietMachine', () => {
  it('waits through busy windows and returns at the first quiet one', async () => {
    let clock = 0;
    let busyWindows = 2;
    let phase = 0;
    // Each window reads /proc/stat twice; a busy window adds other-process jiffies.
    let user = 1000;
    let idle = 8000;
    const read: ProcReader = (p) => {
      if (p === '/proc/stat') {
        if (phase++ % 2 === 1) {
          if (busyWindows > 0) {
            user += 100;
            busyWindows--;
          } else idle += 100;
        }
        return `cpu  ${user} 0 0 ${idle} 0 0 0 0\ncpu0 0 0 0 0\ncpu1 0 0 0 0\n`;
      }
      if (p === '/proc/self/stat') return SELF([0, 0]);
      return '0.1 0.1 0.1 1/1 1';
    };
    const sleep = async (ms: number) => void (clock += ms);
    const r = await waitForQuietMachine({ maxWaitMs: 60_000, windowMs: 1000, thresholds: T, read, now: () => clock, sleep });
    expect(r.quiet).toBe(true);
    expect(r.waitedMs).toBe(3000);
    expect(r.load.otherCores).toBe(0);
  });
  it('gives up after maxWaitMs and reports the machine still busy', async () => {
    let clock = 0;
    let user = 0;
    // Every window: other processes use half of the machine (busy +50 and idle +50 jiffies, none of them ours).
    const read: ProcReader = (p) => {
      if (p === '/proc/stat') return `cpu  ${(user += 50)} 0 0 ${user} 0 0 0 0\ncpu0 0\ncpu1 0\n`;
      return p === '/proc/self/stat' ? SELF([0, 0]) : '0.1 0 0 1/1 1';
    };
    const sleep = async (ms: number) => void (clock += ms);
    const r = await waitForQuietMachine({ maxWaitMs: 2500, windowMs: 1000, thresholds: T, read, now: () => clock, sleep });
    expect(r.quiet).toBe(false);
    expect(r.waitedMs).toBe(3000);
    expect(r.load.busy).toBe(true);
  });
  it('EXPECTED FAILURE: an aborted signal stops the wait; bad options are refused', async () => {
    const ac = new AbortController();
    ac.abort(new Error('shutdown'));
    await expect(waitForQuietMachine({ maxWaitMs: 1000, thresholds: T, signal: ac.signal, read: reader({}) })).rejects.toThrow(/shutdown/);
    await expect(waitForQuietMachine({ maxWaitMs: -1, thresholds: T })).rejects.toThrow(/maxWaitMs must be >= 0/);
  });
});
