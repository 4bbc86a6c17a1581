import { describe, expect, it } from 'vitest';
import { isSlimboardError } from '../errors';
import { ZJobPayload } from '../jobs/job-definitions';
import { ZRunMetadata } from '../runs/run-metadata';
import { CALIBRATION_METHODS, DEFAULT_PERCENTILE } from './calibrators';
import {
  ZCompressRequest,
  compressedMethodOf,
  describeCompressRequest,
  parseCompressRequest,
  type TPruneRatiosRequest,
  type TPruneToTargetRequest,
  type TQuantizeRequest,
} from './compress-request';

function issuesOf(value: unknown): Array<{ path: string; message: string }> {
  try {
    parseCompressRequest(value);
  } catch (e) {
    if (isSlimboardError(e)) return (e.details as { issues: Array<{ path: string; message: string }> }).issues;
    throw e;
  }
  throw new Error('expected the request to be refused');
}

describe('ZCompressRequest', () => {
  it('fills the documented defaults of a quantize request', () => {
    expect(parseCompressRequest({ method: 'quantize', calibDataset: 'demo-shapes-train' })).toEqual({
      method: 'quantize',
      calibDataset: 'demo-shapes-train',
      calibImages: 100,
      calibration: 'minmax',
      exclude: [],
    });
  });

  it('accepts every calibration method of the library', () => {
    for (const calibration of CALIBRATION_METHODS) {
      expect(parseCompressRequest({ method: 'quantize', calibDataset: 'd', calibration }).method).toBe('quantize');
    }
  });

  it('a parsed request parses again to itself (what the job payload and the run metadata store)', () => {
    const r = parseCompressRequest({
      method: 'quantize',
      calibDataset: 'd',
      calibration: 'percentile',
      percentile: 99.99,
      exclude: ['Conv_3'],
      inputSize: 320,
    });
    expect(ZCompressRequest.parse(r)).toEqual(r);
    const p = parseCompressRequest({ method: 'prune', params: ['a.w', 'b.w'], ratios: [0.3, 0.5] });
    expect(ZCompressRequest.parse(p)).toEqual(p);
  });

  it('EXPECTED FAILURE: each bad field is named in the issues', () => {
    expect(issuesOf({ method: 'quantize', calibDataset: '../x' }).map((i) => i.path)).toEqual(['calibDataset']);
    expect(issuesOf({ method: 'quantize', calibDataset: 'd', percentile: 99.9 }).map((i) => i.path)).toEqual(['percentile']);
    expect(issuesOf({ method: 'quantize', calibDataset: 'd', calibImages: 1.5 }).map((i) => i.path)).toEqual(['calibImages']);
    expect(issuesOf({ method: 'quantize', calibDataset: 'd', extra: 1 }).map((i) => i.path)).toEqual(['']);
    expect(issuesOf({ method: 'prune', params: ['a'], ratios: [1] }).map((i) => i.path)).toEqual(['ratios.0']);
    expect(issuesOf({ method: 'prune', params: ['a', 'b'], ratios: [0.1] }).map((i) => i.path)).toEqual(['ratios']);
    expect(issuesOf({ method: 'prune', params: ['a', 'a'], ratios: [0.1, 0.2] }).map((i) => i.path)).toEqual(['params']);
    expect(issuesOf({ method: 'sensitise' }).map((i) => i.path)).toEqual(['method']);
    expect(issuesOf({ method: 'sensitivity', ratios: [0.5, 0.3] }).map((i) => i.path)).toEqual(['ratios.1']);
    expect(issuesOf({ method: 'sensitivity', params: ['a', 'a'] }).map((i) => i.path)).toEqual(['params']);
    expect(issuesOf({ method: 'sensitivity', images: 0 }).map((i) => i.path)).toEqual(['images']);
    expect(issuesOf({ method: 'prune-to-target' }).map((i) => i.path)).toEqual(['flopsTarget']);
    expect(issuesOf({ method: 'prune-to-target', flopsTarget: 1 }).map((i) => i.path)).toEqual(['flopsTarget']);
    expect(issuesOf({ method: 'prune-to-target', flopsTarget: 0.35, rule: 'nearest' }).map((i) => i.path)).toEqual(['rule']);
    expect(issuesOf(null).length).toBe(1);
  });

  it('maps to the zoo method and strategy, and says what it does in one line', () => {
    const q = parseCompressRequest({
      method: 'quantize',
      calibDataset: 'd',
      calibration: 'percentile',
      calibImages: 8,
    }) as TQuantizeRequest;
    expect(compressedMethodOf(q)).toEqual({ method: 'quant', strategy: 'ptq-percentile' });
    expect(describeCompressRequest(q)).toBe(`int8 PTQ (percentile ${DEFAULT_PERCENTILE}, 8 images of d)`);
    const p = parseCompressRequest({ method: 'prune', params: ['a.w'], ratios: [0.25] }) as TPruneRatiosRequest;
    expect(compressedMethodOf(p)).toEqual({ method: 'prune', strategy: 'ratios' });
    expect(describeCompressRequest(p)).toBe('pruned (1 conv, ratios 0.25)');
    const t = parseCompressRequest({ method: 'prune-to-target', flopsTarget: 0.35 }) as TPruneToTargetRequest;
    expect(t.rule).toBe('paddleslim');
    expect(compressedMethodOf(t)).toEqual({ method: 'prune', strategy: 'sensity' });
    expect(describeCompressRequest(t)).toBe('pruned to −35.0 % GFLOPs (paddleslim rule)');
    const s = parseCompressRequest({ method: 'sensitivity', dataset: 'demo-shapes' });
    expect(s).toEqual({ method: 'sensitivity', dataset: 'demo-shapes', images: 40, ratios: [0.3, 0.5, 0.7] });
    expect(describeCompressRequest(s)).toBe('sensitivity analysis (40 images of demo-shapes, ratios 0.3/0.5/0.7)');
  });

  it('is the request inside the job payload and the run metadata (one schema)', () => {
    const request = parseCompressRequest({ method: 'prune', params: ['a.w'], ratios: [0.25] });
    const payload = {
      v: 1,
      runId: '00000000-0000-4000-8000-000000000000',
      inputSize: 64,
      compress: { request, door: 'api', tokenId: null },
    };
    expect(ZJobPayload.parse(payload).compress?.request).toEqual(request);
    expect(
      ZJobPayload.safeParse({ ...payload, compress: { ...payload.compress, request: { method: 'prune', params: ['a'], ratios: [2] } } })
        .success,
    ).toBe(false);
    const meta = {
      name: 'x',
      family: 'f',
      backbone: 'b',
      dataset: 'd',
      method: 'prune',
      baseline: 'base',
      inputSizes: [64],
      compression: { jobId: 'j1', sourceRunId: payload.runId, sourceModel: 'src', request },
    };
    expect(ZRunMetadata.parse(meta).compression?.request).toEqual(request);
    expect(ZRunMetadata.safeParse({ ...meta, compression: { ...meta.compression, request: { method: 'quantize' } } }).success).toBe(false);
  });
});
