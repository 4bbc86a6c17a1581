import { describe, expect, it } from 'vitest';
import { deviceName, shortCpuName, unknownDeviceName } from './device-name';

describe('deviceName', () => {
  it('names a worker device by what it is, fingerprint in the tooltip', () => {
    const d = deviceName({
      slug: 'db76bb8c1dce42af5',
      name: 'AMD EPYC 7B13 64-Core Processor (2 cores, 1 thread)',
      runtime: 'onnxruntime-node 1.30.0 (cpu)',
      cpuModel: 'AMD EPYC 7B13 64-Core Processor',
      logicalCores: 2,
      threads: 1,
      executionProvider: 'cpu',
    });
    expect(d.label).toBe('AMD EPYC 7B13 · 2 cores · 1 thread · CPU EP');
    expect(d.title).toContain('db76bb8c1dce42af5');
    expect(d.title).toContain('onnxruntime-node 1.30.0 (cpu)');
    expect(d.label).not.toContain('db76bb8c');
  });
  it('plural threads, missing facts left out', () => {
    expect(deviceName({ slug: 'd0000000000000001', name: 'x', cpuModel: 'Apple M2', logicalCores: 8, threads: 4, executionProvider: 'cpu' }).label).toBe(
      'Apple M2 · 8 cores · 4 threads · CPU EP',
    );
    expect(deviceName({ slug: 'd0000000000000002', name: 'x', cpuModel: 'Apple M2' }).label).toBe('Apple M2');
  });
  it('published devices keep name and runtime', () => {
    expect(deviceName({ slug: 'tesla-p4-trt', name: 'Tesla P4', runtime: 'TensorRT' }).label).toBe('Tesla P4 (TensorRT)');
    expect(deviceName({ slug: 'kirin-970', name: 'Kirin 970 (Paddle-Lite)', runtime: 'Paddle-Lite' }).label).toBe('Kirin 970 (Paddle-Lite)');
  });
  it('a fingerprint without a row is shortened, never shown as the whole hash', () => {
    expect(unknownDeviceName('db76bb8c1dce42af5')).toEqual({ label: 'device db76bb8…', title: 'device db76bb8c1dce42af5' });
    expect(unknownDeviceName('kirin-970').label).toBe('kirin-970');
  });
});

describe('shortCpuName', () => {
  it('drops trademarks, clock and core-count noise', () => {
    expect(shortCpuName('AMD EPYC 7B13 64-Core Processor')).toBe('AMD EPYC 7B13');
    expect(shortCpuName('Intel(R) Xeon(R) CPU @ 2.20GHz')).toBe('Intel Xeon');
    expect(shortCpuName('Intel(R) Core(TM) i7-9750H CPU @ 2.60GHz')).toBe('Intel Core i7-9750H');
  });
  it('degenerate names stay readable', () => {
    expect(shortCpuName('')).toBe('unknown CPU');
    expect(shortCpuName('CPU')).toBe('CPU');
  });
});
