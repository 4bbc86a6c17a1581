import os from 'node:os';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { lowerLibvipsThreads, lowerThreadPriority, offsetNice, threadIdsNamed } from './thread-priority';

describe('thread priorities of the detection pipeline', () => {
  it('offsetNice: goldens and clamping to -20..19', () => {
    expect(offsetNice(0, 5)).toBe(5);
    expect(offsetNice(10, 5)).toBe(15);
    expect(offsetNice(17, 5)).toBe(19);
    expect(offsetNice(-20, -3)).toBe(-20);
  });
  it('degenerate: no thread has an impossible name; an offset of 0 changes nothing', () => {
    expect(threadIdsNamed('no thread is called this')).toEqual([]);
    expect(lowerThreadPriority(undefined, 0)).toBe(os.getPriority());
  });
  it('on Linux, the libvips worker threads end at least at the requested nice value', async () => {
    await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toBuffer();
    const tids = threadIdsNamed('libvips worker');
    if (process.platform !== 'linux') {
      expect(tids).toEqual([]);
      return;
    }
    expect(tids.length).toBeGreaterThan(0);
    const target = offsetNice(os.getPriority(), 1);
    lowerLibvipsThreads(target);
    // /proc/<pid>/task/<tid>/stat: the comm field is in parentheses (it contains a space); nice is the
    // 17th field after it.
    for (const tid of threadIdsNamed('libvips worker')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      expect(nice).toBeGreaterThanOrEqual(target);
    }
  });
});
