/**
 * mulberry32: a small seeded PRNG with 32-bit state, uniform in [0, 1). Only 32-bit integer operations
 * and one exact division, so the same seed gives the same sequence on every machine. Used for
 * reference weights (lib/onnx), fixture and benchmark generators; the demo dataset uses its own sfc32
 * (lib/datasets/synthetic/prng.ts).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
