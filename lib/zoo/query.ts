import { z } from 'zod';
import { SlimboardError, formatZodIssues } from '../errors';
import { isColumnId, sortValue } from './columns';
import type { TZooRow } from './row';
import { METHOD_VALUES } from './seed-schema';

/**
 * The zoo's view state, as it lives in the URL (page, API, exports share it):
 *   ?backbone=MobileNetV1,ResNet34&dataset=coco&method=prune&strategy=r578&inputSize=608
 *    &source=reported&submitter=ci-bot&sort=gflops&dir=desc&hide=download,teacher&show=ap50[&format=csv]
 *    &q=mobilenet&page=2 (zoo page) &limit=100&cursor=<nextCursor> (GET /api/zoo)
 * Lists are comma-separated or repeated parameters. Filters AND across fields and OR within one.
 * Backbone / dataset / strategy match slug, name or alias, case-insensitively; `strategy=baseline`
 * matches the baselines. `submitter` matches a measured row's run submitter (its owner, e.g. `ci-bot` or `local`, or
 * `demo zoo`). Unknown parameters are errors (a typo must not silently show everything).
 */

const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => {
    if (v === undefined) return undefined;
    const parts = (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(','));
    return parts.map((s) => s.trim()).filter((s) => s.length > 0);
  }, z.array(item).max(50).optional());

const single = <T extends z.ZodType>(item: T) => z.preprocess((v) => (Array.isArray(v) ? (v.length === 1 ? v[0] : v) : v), item);

const text = z.string().min(1).max(100);
const columnId = z.string().max(100).refine(isColumnId, { message: 'unknown column' });

export const ZZooQuery = z.strictObject({
  backbone: list(text),
  dataset: list(text),
  method: list(z.enum(METHOD_VALUES)),
  strategy: list(text),
  inputSize: list(z.coerce.number().int().min(1).max(100_000)),
  source: list(z.enum(['reported', 'measured'])),
  /** Who submitted a measured row's run (ZRunInfo.submitter); published rows never match. */
  submitter: list(text),
  /** Section slugs. */
  section: list(text),
  sort: single(columnId.optional()),
  dir: single(z.enum(['asc', 'desc']).optional()),
  hide: list(columnId),
  /** Optional columns to show (lib/zoo/columns.ts COCO_DETAIL_COLUMNS). */
  show: list(columnId),
  /** Only GET /api/zoo and the export links use it; pages ignore it. */
  format: single(z.enum(['json', 'csv']).optional()),
  /** Search text: part of a model's name, slug or family (case-insensitive). */
  q: single(z.string().trim().min(1).max(100).optional()),
  /** The zoo page: which page of each section (1-based; `section=` narrows it to one section). */
  page: single(z.coerce.number().int().min(1).max(100_000).optional()),
  /** GET /api/zoo (JSON): rows per response, at most ZOO_API_MAX_LIMIT (default ZOO_API_DEFAULT_LIMIT). */
  limit: single(z.coerce.number().int().min(1).max(500).optional()),
  /** GET /api/zoo (JSON): the previous response's `nextCursor` (opaque). */
  cursor: single(z.string().min(1).max(4096).optional()),
});
export type TZooQuery = z.infer<typeof ZZooQuery>;

/** GET /api/zoo's page size: default and documented maximum (docs/scale.md). */
export const ZOO_API_DEFAULT_LIMIT = 100;
export const ZOO_API_MAX_LIMIT = 500;
/**
 * Rows per section on one zoo page. 20 keeps a page with every section (9 at scale) at about 180 rows, where 50 gave
 * 450: rendering the rows is what a /zoo request spends its time on at scale (docs/scale.md, "Load").
 */
export const ZOO_PAGE_SIZE = 20;

/** URLSearchParams or Next's `searchParams` record -> plain record (repeated keys become arrays). */
export function searchParamsToRecord(
  params: URLSearchParams | Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const add = (k: string, v: string) => {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  };
  if (params instanceof URLSearchParams) {
    for (const [k, v] of params) add(k, v);
  } else {
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [v]) add(k, one);
    }
  }
  return out;
}

/** Parse and validate; a bad parameter throws SlimboardError (HTTP 400) with zod's message. */
export function parseZooQuery(params: URLSearchParams | Record<string, string | string[] | undefined>): TZooQuery {
  const parsed = ZZooQuery.safeParse(searchParamsToRecord(params));
  if (!parsed.success) throw new SlimboardError('bad_query', `bad query: ${formatZodIssues(parsed.error.issues)}`, { status: 400 });
  return parsed.data;
}

/**
 * The export link's query string for a zoo view (`/api/zoo` + this): the rows it selects (filters, search, sort)
 * on every page, as `format`; the columns shown and the paging are the page's, not the export's.
 */
export function zooExportSearch(q: TZooQuery, format: 'csv' | 'json'): string {
  return zooQueryToSearch({ ...q, hide: undefined, show: undefined, page: undefined, limit: undefined, cursor: undefined, format });
}

/** Back to a query string (stable order), e.g. for links that change one field. */
export function zooQueryToSearch(q: Partial<TZooQuery>): string {
  const sp = new URLSearchParams();
  const keys = [
    'backbone',
    'dataset',
    'method',
    'strategy',
    'inputSize',
    'source',
    'submitter',
    'section',
    'q',
    'sort',
    'dir',
    'hide',
    'show',
    'format',
    'page',
    'limit',
    'cursor',
  ] as const;
  for (const k of keys) {
    const v = q[k];
    if (v === undefined || (Array.isArray(v) && v.length === 0)) continue;
    sp.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

const norm = (s: string) => s.trim().toLowerCase();

function matchesAny(wanted: string[] | undefined, candidates: Array<string | null | undefined>): boolean {
  if (!wanted || wanted.length === 0) return true;
  const have = candidates.filter((c): c is string => typeof c === 'string').map(norm);
  return wanted.some((w) => have.includes(norm(w)));
}

export interface FilterVocabulary {
  /** Alias spellings by canonical slug, so `backbone=R50vd-dcn` finds ResNet50-vd-dcn. */
  backboneAliases: Record<string, string[]>;
  datasetAliases: Record<string, string[]>;
}

export function filterZooRows(
  rows: TZooRow[],
  q: TZooQuery,
  vocab: FilterVocabulary = { backboneAliases: {}, datasetAliases: {} },
): TZooRow[] {
  return rows.filter(
    (r) =>
      matchesAny(q.backbone, [r.model.backbone, r.model.backboneSlug, ...(vocab.backboneAliases[r.model.backboneSlug] ?? [])]) &&
      matchesAny(q.dataset, [r.model.dataset, r.model.datasetSlug, ...(vocab.datasetAliases[r.model.datasetSlug] ?? [])]) &&
      matchesAny(q.method, [r.model.method]) &&
      matchesAny(q.strategy, [r.model.strategy ?? 'baseline']) &&
      (!q.inputSize?.length || q.inputSize.includes(r.inputSize)) &&
      matchesAny(q.source, [r.source]) &&
      matchesAny(q.submitter, [r.run?.submitter]) &&
      matchesAny(q.section, [r.section.slug]) &&
      (!q.q || [r.model.name, r.model.slug, r.model.family].some((t) => norm(t).includes(norm(q.q!)))),
  );
}

/**
 * Sort inside each section by one column (rows without a value last, ties keep source order);
 * sections keep their order. Without `sort`, the source order.
 */
export function sortZooRows(rows: TZooRow[], q: Pick<TZooQuery, 'sort' | 'dir'>): TZooRow[] {
  const bySource = (a: TZooRow, b: TZooRow) => a.section.position - b.section.position || a.position - b.position;
  if (!q.sort) return [...rows].sort(bySource);
  const column = q.sort;
  const sign = q.dir === 'desc' ? -1 : 1;
  return [...rows].sort((a, b) => {
    if (a.section.position !== b.section.position) return a.section.position - b.section.position;
    const va = sortValue(a, column);
    const vb = sortValue(b, column);
    if (va === null || vb === null) return va === vb ? a.position - b.position : va === null ? 1 : -1;
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return c !== 0 ? sign * c : a.position - b.position;
  });
}
