import { describe, expect, it } from 'vitest';
import { columnLabel } from './column-label';

const NAMES = {
  db76bb8c1dce42af5: { label: 'AMD EPYC 7B13 · 2 cores · 1 thread · CPU EP', title: 'device db76bb8c1dce42af5: AMD EPYC 7B13 64-Core Processor' },
  'tesla-p4-trt': { label: 'Tesla P4 (TensorRT)', title: 'device tesla-p4-trt' },
};

describe('zoo column headers', () => {
  it('a worker device column is named by the device, never by its hash; the hash is in the tooltip', () => {
    const l = columnLabel('latency:db76bb8c1dce42af5', NAMES);
    expect(l.text).toBe('Latency p50 (ms) · AMD EPYC 7B13 · 2 cores · 1 thread · CPU EP');
    expect(l.text).not.toContain('db76bb8c');
    expect(l.title).toContain('db76bb8c1dce42af5');
  });
  it('published devices and other columns keep their labels', () => {
    expect(columnLabel('latency:tesla-p4-trt', NAMES).text).toBe('Tesla P4 (ms)');
    expect(columnLabel('gflops', NAMES)).toEqual({ text: 'GFLOPs', title: undefined });
  });
  it('a fingerprint with no device row is shortened, the full id in the tooltip', () => {
    expect(columnLabel('latency:d0000000000000000', {})).toEqual({ text: 'Latency p50 (ms) · device d000000…', title: 'device d0000000000000000' });
  });
});
