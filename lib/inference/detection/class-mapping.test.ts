import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mapModelClassesToCategories } from './class-mapping';

const cats = [{ id: 7, name: 'blue' }, { id: 1, name: 'red' }, { id: 3, name: 'green' }];
const labels = { model: 'm.onnx', dataset: 'ds' };

describe('mapModelClassesToCategories', () => {
  it('goldens: by ascending id without names; by name with names', () => {
    expect(mapModelClassesToCategories({ numClasses: 3 }, cats, labels)).toEqual([1, 3, 7]);
    expect(mapModelClassesToCategories({ classNames: ['blue', 'red'] }, cats, labels)).toEqual([7, 1]);
  });
  it('bad: count mismatch, unknown name, duplicate name, unknown count', () => {
    expect(() => mapModelClassesToCategories({ numClasses: 80 }, cats, labels)).toThrow('m.onnx: model has 80 classes but ds has 3 categories');
    expect(() => mapModelClassesToCategories({ classNames: ['red', 'cyan'] }, cats, labels)).toThrow(/model class 1 "cyan" is not a category of ds/);
    // pycocotools parity: an unknown name maps to no category (its detections are left out and counted by the caller)
    expect(mapModelClassesToCategories({ classNames: ['red', 'cyan'] }, cats, labels, { unknownNames: 'ignore' })).toEqual([1, undefined]);
    expect(() => mapModelClassesToCategories({ classNames: ['red', 'red'] }, cats, labels, { unknownNames: 'ignore' })).toThrow(/twice/);
    expect(() => mapModelClassesToCategories({ numClasses: 80 }, cats, labels, { unknownNames: 'ignore' })).toThrow(/80 classes/);
    expect(() => mapModelClassesToCategories({ classNames: ['red', 'red'] }, cats, labels)).toThrow(/twice/);
    expect(() => mapModelClassesToCategories({}, cats, labels)).toThrow(/unknown/);
  });
  it('property: without names the mapping is the sorted id list, whatever the input order', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 30 }), (ids) => {
      const cs = ids.map((id) => ({ id, name: `c${id}` }));
      expect(mapModelClassesToCategories({ numClasses: ids.length }, cs, labels)).toEqual([...ids].sort((a, b) => a - b));
      // and naming every class maps each name back to its own id
      expect(mapModelClassesToCategories({ classNames: cs.map((c) => c.name) }, cs, labels)).toEqual(ids);
    }));
  });
});
