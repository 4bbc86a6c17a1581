import { describe, expect, it } from 'vitest';
import { isSlimboardError } from '../errors';
import { columnInfo, isOptionalColumn, sortValue } from './columns';
import { filterZooRows, parseZooQuery, sortZooRows, zooExportSearch, zooQueryToSearch } from './query';
import type { TZooRow } from './row';

function row(p: {
  id: string;
  pos: number;
  section?: number;
  backbone?: string;
  strategy?: string | null;
  size?: number;
  gflops?: number;
  method?: TZooRow['model']['method'];
}): TZooRow {
  const cell = (value: number) => ({
    metric: 'gflops' as const,
    value,
    decimals: 2,
    inputSize: p.size ?? 608,
    deviceSlug: null,
    comparable: false,
    baseline: null,
    delta: null,
    text: value.toFixed(2),
    provenance: { kind: 'reported' as const, sourceSlug: 's', sourceTitle: 'S', sourceUrl: null },
  });
  return {
    id: p.id,
    section: { slug: `s${p.section ?? 1}`, title: 'S', sourceTitle: null, position: p.section ?? 1, columns: ['gflops'] },
    position: p.pos,
    source: 'reported',
    model: {
      slug: p.id,
      name: p.id,
      family: 'YOLOv3',
      backbone: p.backbone ?? 'MobileNetV1',
      backboneSlug: (p.backbone ?? 'MobileNetV1').toLowerCase(),
      dataset: 'COCO',
      datasetSlug: 'coco',
      pretraining: null,
      method: p.method ?? 'prune',
      strategy: p.strategy === undefined ? 'r578' : p.strategy,
      baselineSlug: null,
      parentSlug: null,
    },
    inputSize: p.size ?? 608,
    teacher: null,
    cells: p.gflops === undefined ? {} : { gflops: cell(p.gflops) },
    download: null,
  };
}

describe('parseZooQuery', () => {
  it('accepts comma lists and repeated parameters', () => {
    const q = parseZooQuery(new URLSearchParams('backbone=MobileNetV1,ResNet34&inputSize=608&inputSize=416&sort=gflops&dir=desc'));
    expect(q.backbone).toEqual(['MobileNetV1', 'ResNet34']);
    expect(q.inputSize).toEqual([608, 416]);
    expect(q.sort).toBe('gflops');
  });
  it('accepts latency columns and empty values', () => {
    expect(parseZooQuery({ sort: 'latency:kirin-970', backbone: '' })).toMatchObject({ sort: 'latency:kirin-970', backbone: [] });
  });
  it.each([
    ['inputSize=abc', 'inputSize'],
    ['method=pruning', 'method'],
    ['sort=nope', 'sort'],
    ['dir=up', 'dir'],
    ['colour=red', 'colour'],
    ['source=guessed', 'source'],
    ['sort=gflops&sort=boxAp', 'sort'],
    ['show=ap51', 'show'],
  ])('EXPECTED FAILURE: %s is a 400 naming %s', (qs, field) => {
    try {
      parseZooQuery(new URLSearchParams(qs));
      expect.unreachable();
    } catch (e) {
      expect(isSlimboardError(e) && e.status).toBe(400);
      expect((e as Error).message).toContain(field);
      expect((e as Error).message.split('\n')).toHaveLength(1);
    }
  });
  it('round-trips through zooQueryToSearch', () => {
    const q = parseZooQuery(new URLSearchParams('dataset=voc&strategy=r578,baseline&hide=download&show=ap50,apSmall&submitter=ci-bot'));
    expect(q.show).toEqual(['ap50', 'apSmall']);
    expect(parseZooQuery(new URLSearchParams(zooQueryToSearch(q)))).toEqual(q);
  });
});

describe('submitter filter and optional COCO detail columns', () => {
  const measured = (id: string, submitter: string, ap50: number | null): TZooRow => ({
    ...row({ id, pos: 1 }),
    source: 'measured',
    run: { id: `run-${id}`, state: 'done', door: 'api', submitter, jobsDone: 3, jobsTotal: 3, jobsFailed: 0 },
    cocoDetail: ap50 === null ? null : { ap50, ap75: null, apSmall: null, apMedium: null, apLarge: null, jobId: 'j' },
  });
  const rows = [row({ id: 'published', pos: 1 }), measured('x', 'CI Bot', 50), measured('y', 'web form', null)];
  it('submitter matches the run submitter case-insensitively; published rows never match', () => {
    const ids = (q: string) => filterZooRows(rows, parseZooQuery(new URLSearchParams(q))).map((r) => r.id);
    expect(ids('submitter=ci bot')).toEqual(['x']);
    expect(ids('submitter=web form,ci bot')).toEqual(['x', 'y']);
    expect(ids('submitter=nobody')).toEqual([]);
  });
  it('optional columns sort by the detail value, rows without one last', () => {
    expect(isOptionalColumn('ap50')).toBe(true);
    expect(isOptionalColumn('boxAp')).toBe(false);
    expect(columnInfo('apSmall')).toEqual({ id: 'apSmall', label: 'APs', numeric: true });
    expect(sortValue(rows[1], 'ap50')).toBe(50);
    expect(sortValue(rows[2], 'ap50')).toBeNull();
    expect(sortZooRows([rows[2], rows[1]], { sort: 'ap50', dir: 'desc' }).map((r) => r.id)).toEqual(['x', 'y']);
  });
});

describe('filterZooRows / sortZooRows', () => {
  const rows = [
    row({ id: 'a', pos: 1, strategy: null, method: 'baseline', gflops: 20.64 }),
    row({ id: 'b', pos: 2, gflops: 6.27 }),
    row({ id: 'c', pos: 3, backbone: 'ResNet50-vd-dcn', gflops: 29.98, size: 416 }),
    row({ id: 'd', pos: 4 }),
    row({ id: 'e', pos: 1, section: 2, gflops: 1 }),
  ];
  it('filters AND across fields, OR within a field, case-insensitively, with aliases', () => {
    const ids = (q: string) =>
      filterZooRows(rows, parseZooQuery(new URLSearchParams(q)), {
        backboneAliases: { 'resnet50-vd-dcn': ['R50vd-dcn'] },
        datasetAliases: {},
      }).map((r) => r.id);
    expect(ids('strategy=baseline')).toEqual(['a']);
    expect(ids('backbone=mobilenetv1&inputSize=608')).toEqual(['a', 'b', 'd', 'e']);
    expect(ids('backbone=r50vd-dcn')).toEqual(['c']);
    expect(ids('inputSize=416,320')).toEqual(['c']);
    expect(ids('backbone=Nope')).toEqual([]);
  });
  it('sorts within each section, missing values last, ties in source order', () => {
    const asc = sortZooRows(rows, { sort: 'gflops', dir: 'asc' }).map((r) => r.id);
    expect(asc).toEqual(['b', 'a', 'c', 'd', 'e']);
    const desc = sortZooRows(rows, { sort: 'gflops', dir: 'desc' }).map((r) => r.id);
    expect(desc).toEqual(['c', 'a', 'b', 'd', 'e']);
    expect(sortZooRows([...rows].reverse(), {}).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('zooExportSearch', () => {
  it('keeps what selects the rows (filters, search, sort), drops columns shown and paging, names the format', () => {
    const q = parseZooQuery({
      dataset: 'coco',
      q: 'mobile',
      sort: 'gflops',
      dir: 'desc',
      hide: 'params',
      show: 'ap50',
      page: '3',
      limit: '50',
    });
    expect(zooExportSearch(q, 'csv')).toBe('?dataset=coco&q=mobile&sort=gflops&dir=desc&format=csv');
    expect(zooExportSearch(q, 'json')).toBe('?dataset=coco&q=mobile&sort=gflops&dir=desc&format=json');
  });

  it('degenerate: the whole zoo is just the format; an export query exports the same rows', () => {
    expect(zooExportSearch(parseZooQuery({}), 'csv')).toBe('?format=csv');
    const q = parseZooQuery({ method: 'quant', format: 'json', cursor: 'abc' });
    expect(zooExportSearch(q, 'csv')).toBe('?method=quant&format=csv');
  });
});
