import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { machineLoadFlag } from './machine-load-view';

const load = (busy: boolean, reasons: string[]) => ({
  available: true,
  cores: 2,
  elapsedMs: 10_000,
  loadAverage1m: { before: 3.1, after: 2.9 },
  otherCores: 1.2,
  ownCores: 1,
  stealFraction: 0,
  busy,
  reasons,
});

describe('machineLoadFlag', () => {
  it('golden: a busy benchmark is flagged with its reasons and what to do', () => {
    const flag = machineLoadFlag({ summary: { p50Ms: 8 }, machineLoad: load(true, ['load average 3.10 on 2 cores is above 1 per core']) });
    expect(flag).toEqual({
      reasons: ['load average 3.10 on 2 cores is above 1 per core'],
      title:
        'Measured on a busy machine: load average 3.10 on 2 cores is above 1 per core. The number is noisy; ' +
        're-run the benchmark on a quiet machine.',
    });
  });
  it('DEGENERATE: quiet, missing, malformed or null results are no flag; busy without reasons still says busy', () => {
    expect(machineLoadFlag({ machineLoad: load(false, []) })).toBeNull();
    expect(machineLoadFlag({ summary: {} })).toBeNull();
    expect(machineLoadFlag({ machineLoad: { busy: true } })).toBeNull();
    expect(machineLoadFlag(null)).toBeNull();
    expect(machineLoadFlag({ machineLoad: load(true, []) })?.reasons).toEqual(['the machine was flagged busy']);
  });
  it('PROPERTY: flagged exactly when the stored load says busy, and every reason is in the hover text', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.string({ minLength: 1, maxLength: 40 }), { maxLength: 4 }), (busy, reasons) => {
        const flag = machineLoadFlag({ machineLoad: load(busy, reasons) });
        expect(flag !== null).toBe(busy);
        for (const r of reasons) if (flag) expect(flag.title).toContain(r);
      }),
    );
  });
});
