import { describe, expect, it } from 'vitest';
import { checkCompressDraft, defaultCalibrationDataset, draftToRequest, emptyCompressDraft, parsePruneLines } from './compress-form';

describe('the model page compression form', () => {
  it('an untouched quantize draft is a valid request with the schema defaults', () => {
    const check = checkCompressDraft(emptyCompressDraft({ calibDataset: 'demo-shapes-train' }));
    expect(check).toEqual({
      ok: true,
      request: { method: 'quantize', calibDataset: 'demo-shapes-train', calibImages: 100, calibration: 'minmax', exclude: [] },
    });
  });

  it('turns the text fields into the request: numbers, lists, percentile only when chosen', () => {
    const d = {
      ...emptyCompressDraft({ calibDataset: 'train' }),
      calibImages: ' 8 ',
      calibration: 'percentile',
      percentile: '99.99',
      exclude: 'Conv_1, Conv_2\nConv_3',
      inputSize: '320',
    };
    expect(draftToRequest(d)).toEqual({
      method: 'quantize',
      inputSize: 320,
      calibDataset: 'train',
      calibImages: 8,
      calibration: 'percentile',
      percentile: 99.99,
      exclude: ['Conv_1', 'Conv_2', 'Conv_3'],
    });
    expect(draftToRequest({ ...d, calibration: 'entropy' })).not.toHaveProperty('percentile');
  });

  it('prune lines: "param ratio" per line, blank lines skipped, separators space , = :', () => {
    expect(parsePruneLines('a.w 0.3\n\n  b.w,0.5\nc.w=0.1\nd.w: 0')).toEqual({
      params: ['a.w', 'b.w', 'c.w', 'd.w'],
      ratios: [0.3, 0.5, 0.1, 0],
    });
    const check = checkCompressDraft({ ...emptyCompressDraft({ calibDataset: '' }), method: 'prune', pruneLines: 'a.w 0.3\nb.w 0.5' });
    expect(check).toEqual({ ok: true, request: { method: 'prune', params: ['a.w', 'b.w'], ratios: [0.3, 0.5] } });
  });

  it('sensitivity and prune-to-target: the defaults make valid requests; the target is typed in percent', () => {
    const base = emptyCompressDraft({ calibDataset: '' });
    expect(checkCompressDraft({ ...base, method: 'sensitivity' })).toEqual({
      ok: true,
      request: { method: 'sensitivity', images: 40, ratios: [0.3, 0.5, 0.7] },
    });
    expect(
      checkCompressDraft({ ...base, method: 'sensitivity', sensDataset: ' demo-shapes ', sensImages: '8', sensRatios: '0.2,0.4' }),
    ).toEqual({
      ok: true,
      request: { method: 'sensitivity', dataset: 'demo-shapes', images: 8, ratios: [0.2, 0.4] },
    });
    // Conv weights to analyse: comma- or newline-separated, blanks dropped; empty means every prunable conv (no field).
    expect(checkCompressDraft({ ...base, method: 'sensitivity', sensParams: 'a.w, b.w\n\nc.w\n' })).toEqual({
      ok: true,
      request: { method: 'sensitivity', images: 40, ratios: [0.3, 0.5, 0.7], params: ['a.w', 'b.w', 'c.w'] },
    });
    const twice = checkCompressDraft({ ...base, method: 'sensitivity', sensParams: 'a.w, a.w' });
    expect(twice.ok ? '' : twice.message).toMatch(/params: a parameter is listed twice/);
    expect(checkCompressDraft({ ...base, method: 'prune-to-target' })).toEqual({
      ok: true,
      request: { method: 'prune-to-target', flopsTarget: 0.35, rule: 'paddleslim' },
    });
    const descending = checkCompressDraft({ ...base, method: 'sensitivity', sensRatios: '0.5, 0.3' });
    expect(descending.ok ? '' : descending.message).toMatch(/ratios\.1: 0\.3 does not follow 0\.5/);
    // A bad image count or ratio names the field and says what to give instead.
    for (const sensImages of ['0', 'lots', '2.5']) {
      const bad = checkCompressDraft({ ...base, method: 'sensitivity', sensImages });
      expect(bad.ok ? '' : bad.message).toBe('request: images: give a whole number of images, at least 1 (e.g. 40)');
    }
    const over = checkCompressDraft({ ...base, method: 'sensitivity', sensRatios: '0.3, 1.2' });
    expect(over.ok ? '' : over.message).toBe('request: ratios.1: give each ratio as a fraction of channels above 0 and below 1 (e.g. 0.3)');
    const whole = checkCompressDraft({ ...base, method: 'prune-to-target', flopsTargetPct: '100' });
    expect(whole.ok ? '' : whole.message).toMatch(/flopsTarget/);
  });

  it('EXPECTED FAILURE: bad fields are named in one line, as the server would name them', () => {
    const noDataset = checkCompressDraft(emptyCompressDraft({ calibDataset: '' }));
    expect(noDataset).toEqual({ ok: false, message: expect.stringMatching(/^request: calibDataset: /) });
    const badImages = checkCompressDraft({ ...emptyCompressDraft({ calibDataset: 'd' }), calibImages: 'lots' });
    expect(badImages.ok ? '' : badImages.message).toMatch(/calibImages/);
    const missingRatio = checkCompressDraft({ ...emptyCompressDraft({ calibDataset: '' }), method: 'prune', pruneLines: 'a.w' });
    expect(missingRatio.ok ? '' : missingRatio.message).toMatch(/ratios\.0/);
    const nothing = checkCompressDraft({ ...emptyCompressDraft({ calibDataset: '' }), method: 'prune' });
    expect(nothing.ok ? '' : nothing.message).toMatch(/params/);
  });

  it('the default calibration dataset is never the evaluation dataset, and prefers its train split', () => {
    const ds = [{ slug: 'demo-shapes' }, { slug: 'coco' }, { slug: 'demo-shapes-train' }];
    expect(defaultCalibrationDataset(ds, 'demo-shapes')).toBe('demo-shapes-train');
    expect(defaultCalibrationDataset([{ slug: 'coco' }, { slug: 'voc' }], 'coco')).toBe('voc');
    expect(defaultCalibrationDataset([{ slug: 'coco' }], 'coco')).toBe('');
  });
});
