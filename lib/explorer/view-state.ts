import { z } from 'zod';
import { SlimboardError, formatZodIssues } from '../errors';
import { PERCENTILES, ZCostAxis, ZPercentile } from './axes';
import { METHODS, ZMethod, ZMetricKey, SOURCES } from './entry';

/**
 * The explorer's view, as it lives in the URL (`/explorer?dataset=coco&x=latency&device=tesla-p4-trt&pct=p90`).
 *
 * Query keys (all optional; a missing key takes its default and is left out when serializing):
 *   dataset   dataset key                       default coco
 *   x         gflops | params | size | latency  default gflops
 *   y         accuracy metric                   default: the dataset's first metric
 *   device    device key (latency axis)         default: the first device with data
 *   pct       p50 | p90 | p99 | mean            default p50
 *   log       1 | 0: log scale on the cost axis default 0
 *   frontier  1 | 0: table lists frontier only  default 0
 *   sizes     comma list of input sizes         default: all
 *   methods   comma list of methods             default: all
 *   source    all | published | measured        default all
 *   compare   comma list of model ids picked for /compare (1 to 6, order kept: the first is the reference)
 */

const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const flag = z.enum(['0', '1']).transform((v) => v === '1');

function commaList<T extends z.ZodType<unknown, string>>(item: T, what: string) {
  return z
    .string()
    .transform((s) => (s === '' ? [] : s.split(',')))
    .pipe(z.array(item))
    .refine((a) => new Set(a.map(String)).size === a.length, { message: `repeated ${what}` })
    .transform((a) => [...a].sort((p, q) => (String(p) < String(q) ? -1 : String(p) > String(q) ? 1 : 0)));
}

const inputSize = z
  .string()
  .regex(/^[1-9][0-9]{0,4}$/, 'input size must be a positive integer')
  .transform(Number);

export const ZExplorerQuery = z
  .object({
    dataset: z.string().regex(SLUG, 'dataset must be a slug').default('coco'),
    x: ZCostAxis.default('gflops'),
    y: ZMetricKey.optional(),
    device: z.string().regex(SLUG, 'device must be a slug').optional(),
    pct: ZPercentile.default('p50'),
    log: flag.default(false),
    frontier: flag.default(false),
    sizes: commaList(inputSize, 'input size').optional(),
    methods: commaList(ZMethod, 'method').optional(),
    source: z.enum(['all', ...SOURCES]).default('all'),
    compare: z
      .string()
      .transform((s) => (s === '' ? [] : s.split(',')))
      .pipe(z.array(z.string().regex(SLUG, 'model id must be a slug')).max(6, 'pick at most 6 models'))
      .refine((a) => new Set(a).size === a.length, { message: 'a model is listed twice' })
      .optional(),
  })
  .strict();

export type TExplorerView = {
  dataset: string;
  x: z.infer<typeof ZCostAxis>;
  /** undefined: the dataset's default metric. */
  y?: z.infer<typeof ZMetricKey>;
  /** undefined: the first device with data. */
  device?: string;
  pct: (typeof PERCENTILES)[number];
  log: boolean;
  frontier: boolean;
  /** undefined or empty: every input size. Sorted ascending. */
  sizes?: number[];
  /** undefined or empty: every method. Sorted. */
  methods?: Array<(typeof METHODS)[number]>;
  source: 'all' | (typeof SOURCES)[number];
  /** Models picked for comparison, in pick order; undefined or empty: none. */
  compare?: string[];
};

export const DEFAULT_VIEW: TExplorerView = {
  dataset: 'coco',
  x: 'gflops',
  pct: 'p50',
  log: false,
  frontier: false,
  source: 'all',
};

type TQueryInput = URLSearchParams | Record<string, string | string[] | undefined>;

function toRecord(input: TQueryInput): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, v: string) => {
    if (k in out) throw new SlimboardError('bad_query', `query parameter "${k}" given more than once`);
    out[k] = v;
  };
  if (input instanceof URLSearchParams) {
    for (const [k, v] of input) put(k, v);
  } else {
    for (const [k, v] of Object.entries(input)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) {
        if (v.length !== 1) throw new SlimboardError('bad_query', `query parameter "${k}" given more than once`);
        put(k, v[0]);
      } else put(k, v);
    }
  }
  return out;
}

/** Parse the explorer query; a bad parameter throws SlimboardError naming it. Extra keys are refused. */
export function parseExplorerView(input: TQueryInput, ignoreKeys: readonly string[] = []): TExplorerView {
  const record = toRecord(input);
  for (const k of ignoreKeys) delete record[k];
  const parsed = ZExplorerQuery.safeParse(record);
  if (!parsed.success) {
    throw new SlimboardError('bad_query', `bad explorer URL: ${formatZodIssues(parsed.error.issues)}`);
  }
  const v = parsed.data;
  const view: TExplorerView = { dataset: v.dataset, x: v.x, pct: v.pct, log: v.log, frontier: v.frontier, source: v.source };
  if (v.y !== undefined) view.y = v.y;
  if (v.device !== undefined) view.device = v.device;
  if (v.sizes !== undefined && v.sizes.length > 0) view.sizes = v.sizes.sort((a, b) => a - b);
  if (v.methods !== undefined && v.methods.length > 0) view.methods = v.methods;
  if (v.compare !== undefined && v.compare.length > 0) view.compare = v.compare;
  return view;
}

/**
 * The view keys only the browser uses: the latency percentile drawn, the log scale, the table's frontier filter and
 * the models picked for /compare. The entries the server sends for a view (lib/zoo/explorer-view-data.ts) do not
 * depend on them: a reduced view's points are chosen on stored numbers (a measured latency's p50).
 */
export const CLIENT_ONLY_KEYS = ['pct', 'log', 'frontier', 'compare'] as const;

/** `view` with its client-only keys at their defaults (compare absent): what the server's data depends on. */
export function serverPartOf(view: TExplorerView): TExplorerView {
  const { compare: _compare, ...rest } = view;
  return { ...rest, pct: DEFAULT_VIEW.pct, log: DEFAULT_VIEW.log, frontier: DEFAULT_VIEW.frontier };
}

/** `server` (a view as the server resolved it) with the client-only keys of `client`. */
export function withClientKeys(server: TExplorerView, client: TExplorerView): TExplorerView {
  const { compare: _compare, ...rest } = server;
  const out: TExplorerView = { ...rest, pct: client.pct, log: client.log, frontier: client.frontier };
  if (client.compare !== undefined) out.compare = client.compare;
  return out;
}

/** The view keys whose change needs new points from the server when the server sent a reduced view. */
export const REDUCED_SELECTION_KEYS = ['x', 'y', 'device', 'sizes', 'methods', 'source'] as const;

/**
 * Whether `next` needs other entries than those loaded for `loaded`: the server sends one dataset's entries
 * (lib/zoo/explorer-view-data.ts), and in a reduced view only the points of one selection.
 */
export function viewNeedsServer(loaded: TExplorerView, next: TExplorerView, reduced: boolean): boolean {
  if (loaded.dataset !== next.dataset) return true;
  if (!reduced) return false;
  return REDUCED_SELECTION_KEYS.some((k) => JSON.stringify(loaded[k] ?? null) !== JSON.stringify(next[k] ?? null));
}

/** Serialize a view to a query string (without `?`): defaults left out, keys in a fixed order. */
export function serializeExplorerView(view: TExplorerView): string {
  const p = new URLSearchParams();
  if (view.dataset !== DEFAULT_VIEW.dataset) p.set('dataset', view.dataset);
  if (view.x !== DEFAULT_VIEW.x) p.set('x', view.x);
  if (view.y !== undefined) p.set('y', view.y);
  if (view.device !== undefined) p.set('device', view.device);
  if (view.pct !== DEFAULT_VIEW.pct) p.set('pct', view.pct);
  if (view.log) p.set('log', '1');
  if (view.frontier) p.set('frontier', '1');
  if (view.sizes && view.sizes.length > 0) p.set('sizes', [...view.sizes].sort((a, b) => a - b).join(','));
  if (view.methods && view.methods.length > 0) p.set('methods', [...view.methods].sort().join(','));
  if (view.source !== DEFAULT_VIEW.source) p.set('source', view.source);
  if (view.compare && view.compare.length > 0) p.set('compare', view.compare.join(','));
  // URLSearchParams encodes "," as %2C; the lists read better literally and "," is legal in a query.
  return p.toString().replace(/%2C/g, ',');
}

/** The compare page's selection: `?models=a,b,c` with 2 to 6 distinct model ids, order kept (the first is the reference). */
export const ZCompareQuery = z
  .object({
    models: z
      .string()
      .transform((s) => s.split(','))
      .pipe(z.array(z.string().regex(SLUG, 'model id must be a slug')).min(2, 'pick at least 2 models').max(6, 'pick at most 6 models'))
      .refine((a) => new Set(a).size === a.length, { message: 'a model is listed twice' }),
  })
  .strict();

export const COMPARE_MIN = 2;
export const COMPARE_MAX = 6;

export function parseCompareSelection(input: TQueryInput): string[] {
  const record = toRecord(input);
  const parsed = ZCompareQuery.safeParse(record);
  if (!parsed.success) {
    throw new SlimboardError('bad_query', `bad compare URL: ${formatZodIssues(parsed.error.issues)}`);
  }
  return parsed.data.models;
}

export function compareHref(modelIds: readonly string[]): string {
  return `/compare?models=${modelIds.map(encodeURIComponent).join(',')}`;
}
