import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SlimboardError } from '../errors';
import { parseSensitivityAnalysis, type TSensitivityAnalysis } from './sensitivity-analysis';

const SHIPPED = path.resolve(import.meta.dirname, '..', '..', 'lib', 'demo-zoo', 'models', 'sensitivity.json');
const shipped = () => JSON.parse(readFileSync(SHIPPED, 'utf8')) as TSensitivityAnalysis;

/** One parameter, two ratios; losses from (0.6 - ap) / 0.6: (0.6 - 0.54) / 0.6 = 0.1, (0.6 - 0.45) / 0.6 = 0.25. */
function tiny(): TSensitivityAnalysis {
  return {
    model: 'baseline',
    metric: 'COCO AP(0.5:0.95)',
    inputSize: 320,
    valImages: 4,
    baselineAp: 0.6,
    lossDefinition: '(AP_baseline - AP_pruned) / AP_baseline',
    criterion: 'L1 norm',
    ratios: [0.3, 0.5],
    parameters: {
      'block.0.conv.weights': [
        { ratio: 0.3, ap: 0.54, loss: 0.1 },
        { ratio: 0.5, ap: 0.45, loss: 0.25 },
      ],
    },
  };
}

function errorOf(value: unknown): string {
  try {
    parseSensitivityAnalysis(value, 'x/sensitivity.json');
  } catch (e) {
    expect(e).toBeInstanceOf(SlimboardError);
    return (e as Error).message;
  }
  throw new Error('expected a SlimboardError');
}

describe('ZSensitivityAnalysis', () => {
  it('accepts the shipped lib/demo-zoo/models/sensitivity.json as written by tools/demo-zoo', () => {
    const a = parseSensitivityAnalysis(shipped(), SHIPPED);
    expect(a.ratios).toEqual([0.3, 0.5, 0.7]);
    expect(Object.keys(a.parameters)).toHaveLength(18);
    // Hand check of one row: (0.61332 - 0.55881) / 0.61332 = 0.088877, stored rounded as 0.08888.
    expect(a.parameters['yolo_block.0.0.0.conv.weights'][0]).toEqual({
      ratio: 0.3,
      ap: 0.55881,
      loss: 0.08888,
      gflopsReduction608: 0.02229,
    });
  });

  it('accepts an analysis without parameters (degenerate: nothing measured)', () => {
    expect(parseSensitivityAnalysis({ ...tiny(), parameters: {} }, 'x').parameters).toEqual({});
  });

  it('accepts a negative loss threshold (a threshold search can settle below a negative loss) but not one under -1', () => {
    const selection = { lossThreshold: -0.02, targetGflopsReduction: 0.1, rule: 'paddleslim' as const };
    expect(parseSensitivityAnalysis({ ...tiny(), selection }, 'x').selection).toEqual(selection);
    expect(errorOf({ ...tiny(), selection: { ...selection, lossThreshold: -1.5 } })).toMatch(
      /^x\/sensitivity\.json: selection\.lossThreshold: /,
    );
  });

  it('EXPECTED FAILURE: a malformed field is one line naming the file and the field (dotted names quoted)', () => {
    const a = tiny() as unknown as { parameters: Record<string, Array<Record<string, unknown>>> };
    a.parameters['block.0.conv.weights'][1].loss = 'high';
    const message = errorOf(a);
    expect(message).toMatch(/^x\/sensitivity\.json: parameters\."block\.0\.conv\.weights"\.1\.loss: /);
    expect(message.split('\n')).toHaveLength(1);
    expect(errorOf({ ...tiny(), baselineAp: 0 })).toMatch(/^x\/sensitivity\.json: baselineAp: /);
    expect(errorOf({ ...tiny(), extra: 1 })).toMatch(/^x\/sensitivity\.json: .*extra/);
    expect(errorOf([])).toMatch(/^x\/sensitivity\.json: \(root\): /);
  });

  it('EXPECTED FAILURE: a loss that does not follow from ap and baselineAp names its row', () => {
    const a = tiny();
    a.parameters['block.0.conv.weights'][0].loss = 0.2; // (0.6 - 0.54) / 0.6 = 0.1
    expect(errorOf(a)).toBe(
      'x/sensitivity.json: parameters."block.0.conv.weights".0.loss: 0.2, but (baselineAp - ap) / baselineAp = 0.10000',
    );
  });

  it('EXPECTED FAILURE: rows that do not match the ratios, and ratios out of order', () => {
    const a = tiny();
    a.parameters['block.0.conv.weights'].pop();
    expect(errorOf(a)).toBe('x/sensitivity.json: parameters."block.0.conv.weights": 1 rows, but ratios lists 2');
    const b = tiny();
    b.parameters['block.0.conv.weights'][1].ratio = 0.6;
    expect(errorOf(b)).toMatch(/parameters\."block\.0\.conv\.weights"\.1\.ratio: 0\.6, but ratios\[1\] is 0\.5/);
    expect(errorOf({ ...tiny(), ratios: [0.5, 0.3] })).toMatch(/ratios\.1: 0\.3 does not follow 0\.5/);
  });
});
