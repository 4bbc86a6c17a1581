/** Bad bytes never crash anything: every failure is a one-line SlimboardError. */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { SlimboardError } from '../errors';
import { A, GraphBuilder } from './graph';
import { decodeModel, encodeModel } from './model-file';
import { inferShapes } from './shape-inference';
import { analyzeModel } from './analyze-model';
import { pruneChannels } from './channel-prune';
function tiny() {
  const b = new GraphBuilder('tiny', 13);
  b.input('x', [1, 2, 'H', 'W']);
  b.node('Conv', ['x', b.weight('w', [3, 2, 1, 1], Float32Array.from([1, 2, 3, 4, 5, 6]))], ['y'], { kernel_shape: A.ints([1, 1]) });
  b.node('Resize', ['y', '', b.weight('s', [4], Float32Array.of(1, 1, 2, 2))], ['u'], { mode: A.str('nearest') });
  b.node('Conv', ['u', b.weight('w2', [2, 3, 1, 1], Float32Array.from([1, 2, 3, 4, 5, 6]))], ['z']);
  b.output('z', [1, 2, 'H', 'W']);
  return b.build();
}
it('EXPECTED FAILURE: mutated model bytes through read, analyze and prune raise only SlimboardError', () => {
  const bytes = encodeModel(tiny());
  fc.assert(fc.property(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (muts) => {
    const b = Uint8Array.from(bytes);
    for (const [i, v] of muts) b[i] = v;
    try {
      const l = decodeModel(b, 'm');
      analyzeModel(l, { inputSize: 4, convention: 'flops', layers: true });
      pruneChannels(l.model, { params: ['w'], ratios: [0.34] });
    } catch (e) {
      expect(e).toBeInstanceOf(SlimboardError);
    }
  }), { numRuns: 400 });
});
