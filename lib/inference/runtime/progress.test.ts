import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatSeconds, ProgressReporter, renderProgressBar, attachTerminalProgressBar } from './progress';

describe('renderProgressBar', () => {
  it('hand-computed golden', () => {
    // 45/100 of a 20-wide bar = 9 '#' and 11 '-'
    expect(renderProgressBar({ phase: 'detect', done: 45, total: 100, ratePerS: 12.34, etaS: 4.4 }, 20)).toBe('detect [#########-----------]  45/100  12.3/s  ETA 4s');
  });
  it('degenerate: zero total, nothing done, overshoot', () => {
    expect(renderProgressBar({ phase: 'x', done: 0, total: 0, ratePerS: 0, etaS: null }, 4)).toBe('x [####] 0/0  0.0/s');
    expect(renderProgressBar({ phase: 'x', done: 0, total: 3, ratePerS: 0, etaS: null }, 4)).toBe('x [----] 0/3  0.0/s');
    expect(renderProgressBar({ phase: 'x', done: 5, total: 3, ratePerS: 1, etaS: 0 }, 4)).toBe('x [####] 5/3  1.0/s  ETA 0s');
  });
  it('property: the bar always has the requested width', () => {
    fc.assert(fc.property(fc.nat(1000), fc.nat(1000), fc.integer({ min: 1, max: 60 }), (done, total, w) => {
      const line = renderProgressBar({ phase: 'p', done, total, ratePerS: 0, etaS: null }, w);
      expect(line.slice(line.indexOf('[') + 1, line.indexOf(']')).length).toBe(w);
    }));
  });
  it('formatSeconds', () => {
    expect(formatSeconds(59.4)).toBe('59s');
    expect(formatSeconds(61)).toBe('1m01s');
    expect(formatSeconds(3725)).toBe('1h02m');
    expect(formatSeconds(Number.NaN)).toBe('?');
  });
});

describe('ProgressReporter', () => {
  it('emits one progress event per tick and a done event', () => {
    const r = new ProgressReporter('detect', 3);
    const seen: number[] = [];
    let doneEvents = 0;
    r.on('progress', (e) => seen.push(e.done));
    r.on('done', (e) => {
      doneEvents++;
      expect(e.done).toBe(3);
      expect(e.etaS).toBe(0);
    });
    r.tick(); r.tick(); r.tick(); r.finish();
    expect(seen).toEqual([1, 2, 3]);
    expect(doneEvents).toBe(1);
  });
  it('writes nothing to a stream that is not a TTY', () => {
    const written: string[] = [];
    const fake = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    const r = new ProgressReporter('x', 2);
    attachTerminalProgressBar(r, fake);
    r.tick(); r.finish();
    expect(written).toEqual([]);
    const tty = { isTTY: true, columns: 80, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    const r2 = new ProgressReporter('y', 1);
    attachTerminalProgressBar(r2, tty);
    r2.tick(); r2.finish();
    expect(written.join('')).toContain('y [');
    expect(written[written.length - 1]).toBe('\n');
  });
});
