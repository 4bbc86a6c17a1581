import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COST_AXES, PERCENTILES } from './axes';
import { METHODS, METRIC_KEYS } from './entry';
import {
  CLIENT_ONLY_KEYS,
  DEFAULT_VIEW,
  parseCompareSelection,
  parseExplorerView,
  serializeExplorerView,
  serverPartOf,
  withClientKeys,
  type TExplorerView,
} from './view-state';

/** Any view the URL can state (sorted lists, absent keys absent). */
const arbView: fc.Arbitrary<TExplorerView> = fc
  .record({
    dataset: fc.constantFrom('coco', 'voc', 'widerface', 'my-data_1'),
    x: fc.constantFrom(...COST_AXES),
    y: fc.option(fc.constantFrom(...METRIC_KEYS), { nil: undefined }),
    device: fc.option(fc.constantFrom('tesla-p4-trt', 'kirin-970', 'cpu.x86'), { nil: undefined }),
    pct: fc.constantFrom(...PERCENTILES),
    log: fc.boolean(),
    frontier: fc.boolean(),
    sizes: fc.option(fc.uniqueArray(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 5 }), { nil: undefined }),
    methods: fc.option(fc.uniqueArray(fc.constantFrom(...METHODS), { minLength: 1 }), { nil: undefined }),
    source: fc.constantFrom('all' as const, 'published' as const, 'measured' as const),
    compare: fc.option(fc.uniqueArray(fc.constantFrom('a', 'b-1', 'yolov3_x', 'm.2', 'z', 'q', 'r'), { minLength: 1, maxLength: 6 }), {
      nil: undefined,
    }),
  })
  .map((v) => {
    const out: TExplorerView = { dataset: v.dataset, x: v.x, pct: v.pct, log: v.log, frontier: v.frontier, source: v.source };
    if (v.y) out.y = v.y;
    if (v.device) out.device = v.device;
    if (v.sizes) out.sizes = [...v.sizes].sort((a, b) => a - b);
    if (v.methods) out.methods = [...v.methods].sort();
    if (v.compare) out.compare = v.compare;
    return out;
  });

describe('parseExplorerView', () => {
  it('an empty query is the default view and serializes to ""', () => {
    expect(parseExplorerView(new URLSearchParams(''))).toEqual(DEFAULT_VIEW);
    expect(serializeExplorerView(DEFAULT_VIEW)).toBe('');
  });

  it('golden: every key parsed, lists sorted, and written back in a fixed order', () => {
    const view = parseExplorerView(
      new URLSearchParams(
        'source=published&methods=quant,baseline&sizes=608,320&frontier=1&log=1&pct=p90&device=tesla-p4-trt&y=vocMap&x=latency&dataset=voc',
      ),
    );
    expect(view).toEqual({
      dataset: 'voc',
      x: 'latency',
      y: 'vocMap',
      device: 'tesla-p4-trt',
      pct: 'p90',
      log: true,
      frontier: true,
      sizes: [320, 608],
      methods: ['baseline', 'quant'],
      source: 'published',
    });
    expect(serializeExplorerView(view)).toBe(
      'dataset=voc&x=latency&y=vocMap&device=tesla-p4-trt&pct=p90&log=1&frontier=1&sizes=320,608&methods=baseline,quant&source=published',
    );
  });

  it('accepts Next.js searchParams records and ignores keys it is told to', () => {
    expect(parseExplorerView({ x: 'size', sizes: ['608'], compare: 'b,a', utm: 'x' }, ['utm'])).toMatchObject({
      x: 'size',
      sizes: [608],
      compare: ['b', 'a'],
    });
  });

  it('EXPECTED FAILURE: each bad parameter is named in one line', () => {
    const bad: Array<[string, RegExp]> = [
      ['x=watts', /bad explorer URL: x: /],
      ['pct=p95', /pct: /],
      ['log=yes', /log: /],
      ['sizes=608,abc', /sizes\.1: input size must be a positive integer/],
      ['sizes=608,608', /sizes: repeated input size/],
      ['methods=prune,magic', /methods\.1: /],
      ['dataset=../etc', /dataset: dataset must be a slug/],
      ['zoom=2', /zoom/],
      ['x=gflops&x=size', /"x" given more than once/],
      ['compare=a,b,a', /compare: a model is listed twice/],
      ['compare=a,b,c,d,e,f,g', /compare: pick at most 6 models/],
    ];
    for (const [q, re] of bad) expect(() => parseExplorerView(new URLSearchParams(q)), q).toThrow(re);
  });

  it('property: parse(serialize(view)) returns the view', () => {
    fc.assert(
      fc.property(arbView, (view) => {
        expect(parseExplorerView(new URLSearchParams(serializeExplorerView(view)))).toEqual(view);
      }),
    );
  });
});

describe('parseCompareSelection', () => {
  it('keeps the order (the first model is the reference)', () => {
    expect(parseCompareSelection(new URLSearchParams('models=b,a,c'))).toEqual(['b', 'a', 'c']);
  });
  it('EXPECTED FAILURE: fewer than 2, more than 6, repeats, missing, bad ids', () => {
    expect(() => parseCompareSelection(new URLSearchParams('models=a'))).toThrow(/models: pick at least 2 models/);
    expect(() => parseCompareSelection(new URLSearchParams('models=a,b,c,d,e,f,g'))).toThrow(/pick at most 6 models/);
    expect(() => parseCompareSelection(new URLSearchParams('models=a,b,a'))).toThrow(/a model is listed twice/);
    expect(() => parseCompareSelection(new URLSearchParams(''))).toThrow(/models: /);
    expect(() => parseCompareSelection(new URLSearchParams('models=a,<b>'))).toThrow(/model id must be a slug/);
  });
});

describe('serverPartOf and withClientKeys', () => {
  it('hand-checked: the log scale, percentile, frontier filter and compare picks are set aside and put back', () => {
    const view: TExplorerView = {
      ...DEFAULT_VIEW,
      dataset: 'voc',
      x: 'latency',
      pct: 'p90',
      log: true,
      frontier: true,
      compare: ['b', 'a'],
    };
    expect(serverPartOf(view)).toEqual({ dataset: 'voc', x: 'latency', pct: 'p50', log: false, frontier: false, source: 'all' });
    expect('compare' in serverPartOf(view)).toBe(false);
    expect(serializeExplorerView(serverPartOf(view))).toBe('dataset=voc&x=latency');
    const resolved = { ...serverPartOf(view), y: 'vocMap' as const, device: 'tesla-p4-trt' };
    expect(withClientKeys(resolved, view)).toEqual({ ...view, y: 'vocMap', device: 'tesla-p4-trt' });
  });

  it('degenerate: the default view is its own server part; no compare picks stay absent', () => {
    expect(serverPartOf(DEFAULT_VIEW)).toEqual(DEFAULT_VIEW);
    expect(withClientKeys(DEFAULT_VIEW, DEFAULT_VIEW)).toStrictEqual(DEFAULT_VIEW);
  });

  it('property: the server part has no client-only key in its URL, and the client keys put back give the view', () => {
    fc.assert(
      fc.property(arbView, (view) => {
        const server = serverPartOf(view);
        const params = new URLSearchParams(serializeExplorerView(server));
        for (const k of CLIENT_ONLY_KEYS) expect(params.has(k)).toBe(false);
        expect(serverPartOf(server)).toEqual(server);
        expect(withClientKeys(server, view)).toStrictEqual(view);
        // Views that differ only in client-only keys have one server part.
        expect(serverPartOf({ ...view, log: !view.log, pct: 'mean', compare: ['z'] })).toEqual(server);
      }),
    );
  });
});
