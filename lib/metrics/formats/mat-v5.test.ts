import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SlimboardError } from '../../errors';
import { FIXTURES_DIR } from '../reference-fixtures';
import { readMatV5 } from './mat-v5';

/** Builds a tiny little-endian MAT v5 file by hand (spec layout), optionally compressing each variable. */
function handMadeMat(compress: boolean): Buffer {
  const header = Buffer.alloc(128, 0x20);
  header.write('MATLAB 5.0 MAT-file, hand made', 0, 'latin1');
  header.writeUInt16LE(0x0100, 124);
  header.write('IM', 126, 'latin1');
  const el = (type: number, data: Buffer) => {
    const tag = Buffer.alloc(8);
    tag.writeUInt32LE(type, 0);
    tag.writeUInt32LE(data.length, 4);
    const pad = Buffer.alloc((8 - (data.length % 8)) % 8);
    return Buffer.concat([tag, data, pad]);
  };
  const matrix = (cls: number, dims: number[], name: string, payload: Buffer[]) => {
    const flags = Buffer.alloc(8);
    flags.writeUInt32LE(cls, 0);
    const d = Buffer.alloc(4 * dims.length);
    dims.forEach((v, i) => d.writeInt32LE(v, i * 4));
    return el(14, Buffer.concat([el(6, flags), el(5, d), el(1, Buffer.from(name, 'latin1')), ...payload]));
  };
  const doubles = (vals: number[]) => {
    const b = Buffer.alloc(8 * vals.length);
    vals.forEach((v, i) => b.writeDoubleLE(v, i * 8));
    return el(9, b);
  };
  const chars = (s: string) => {
    const b = Buffer.alloc(2 * s.length);
    for (let i = 0; i < s.length; i++) b.writeUInt16LE(s.charCodeAt(i), i * 2);
    return el(4, b);
  };
  // x = [1 2; 3 4] (column-major 1 3 2 4), c = {'ab'; [5]}
  const x = matrix(6, [2, 2], 'x', [doubles([1, 3, 2, 4])]);
  const c = matrix(1, [2, 1], 'c', [matrix(4, [1, 2], '', [chars('ab')]), matrix(6, [1, 1], '', [doubles([5])])]);
  const wrap = (m: Buffer) => (compress ? el(15, deflateSync(m)).subarray(0, 8 + deflateSync(m).length) : m);
  return Buffer.concat([header, wrap(x), wrap(c)]);
}

describe('MAT v5 reader', () => {
  for (const compress of [false, true]) {
    it(`reads numeric, char and nested cell arrays (${compress ? 'miCOMPRESSED' : 'uncompressed'})`, () => {
      const vars = readMatV5(handMadeMat(compress), 'hand.mat');
      expect(vars.get('x')).toEqual({ kind: 'numeric', dims: [2, 2], data: Float64Array.from([1, 3, 2, 4]) });
      const c = vars.get('c');
      expect(c?.kind).toBe('cell');
      if (c?.kind !== 'cell') return;
      expect(c.cells[0]).toEqual({ kind: 'char', dims: [1, 2], text: 'ab' });
      expect(c.cells[1]).toEqual({ kind: 'numeric', dims: [1, 1], data: Float64Array.from([5]) });
    });
  }

  it('reads the scipy.io.savemat WIDER FACE fixture (compressed, int32 keep lists, empty matrices)', () => {
    const vars = readMatV5(readFileSync(path.join(FIXTURES_DIR, 'widerface/official-files/ground_truth/wider_hard_val.mat')), 'hard.mat');
    const list = vars.get('gt_list');
    expect(list?.kind).toBe('cell');
    if (list?.kind !== 'cell') return;
    expect(list.dims).toEqual([3, 1]);
    const first = list.cells[0];
    expect(first.kind).toBe('cell');
  });

  it('BAD INPUT: not a MAT-file, truncated data', () => {
    expect(() => readMatV5(Buffer.from('hello'), 'x.mat')).toThrow(SlimboardError);
    const good = handMadeMat(false);
    expect(() => readMatV5(good.subarray(0, good.length - 20), 'cut.mat')).toThrow(/cut\.mat: data element at byte \d+ runs past the end/);
  });
});
