import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getDb } from '@/lib/db/client';
import { isSlimboardError, SlimboardError } from '@/lib/errors';
import { datasetLabel } from '@/lib/explorer/axes';
import { compareRows, groupForCompare, type TCompareCell, type TCompareRow } from '@/lib/explorer/compare-table';
import type { TExplorerEntry } from '@/lib/explorer/entry';
import { COMPARE_MAX, compareHref, parseCompareSelection } from '@/lib/explorer/view-state';
import { listExplorerEntries } from '@/lib/zoo/list-explorer-entries';
import { searchCompareChoices, type TCompareChoice } from '@/lib/zoo/compare-choices';
import { formatExplorerFixed, formatSigned, PERCENT_DELTA_DECIMALS, POINTS_DELTA_DECIMALS } from '@/lib/zoo/number-format';
import { METHOD_LABELS, modelHref } from '../explorer/chart-style';
import { LatencyBoxPlot, type TLatencySeries } from './latency-box-plot';
import { BadLink } from '../bad-link';
import { ScrollFrame } from '../scroll-frame';
import '../explorer/explorer.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Compare models' };

type SearchParams = Record<string, string | string[] | undefined>;

/** Deltas as the zoo prints them: accuracy in points (1 decimal), costs in percent (2 decimals). */
function DeltaText({ cell, row }: { cell: TCompareCell; row: TCompareRow }) {
  if (cell.delta === null) return null;
  const cls = cell.better === null ? 'sb-muted' : cell.better ? 'sb-better' : 'sb-worse';
  const text =
    row.group === 'accuracy'
      ? formatSigned(cell.delta, POINTS_DELTA_DECIMALS)
      : formatSigned(cell.deltaPct, PERCENT_DELTA_DECIMALS, { percent: true });
  return <span className={cls}> ({text})</span>;
}

type TPickerProps = { selected: string[]; choices: TCompareChoice[]; total: number; find: string };

/** Add a model: a search (name or slug, in the database) and a list of at most COMPARE_CHOICES_LIMIT matches. */
function Picker({ selected, choices, total, find }: TPickerProps) {
  if (selected.length >= COMPARE_MAX) return null;
  const hidden = selected.length > 0 && <input type="hidden" name="models" value={selected.join(',')} />;
  return (
    <div className="sb-controls">
      <form method="get" action="/compare" role="search">
        {hidden}
        <label>
          Find a model <input type="search" name="find" defaultValue={find} placeholder="name or id" />
        </label>{' '}
        <button type="submit">Search</button>
      </form>
      <form method="get" action="/compare">
        {hidden}
        <label>
          Add a model{' '}
          <select name="add" required defaultValue="">
            <option value="" disabled>
              {choices.length === 0 ? 'no model matches' : 'choose…'}
            </option>
            {choices.map((m) => (
              <option key={m.id} value={m.id}>
                {datasetLabel(m.dataset)} · {m.name}
              </option>
            ))}
          </select>
        </label>{' '}
        <button type="submit">Add</button>
        {total > choices.length && (
          <span className="sb-muted" data-testid="compare-choices-more">
            {' '}
            showing {choices.length} of {total.toLocaleString('en')} models{find ? ` matching “${find}”` : ''}: search to narrow the list
          </span>
        )}
      </form>
    </div>
  );
}

export default async function ComparePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const db = await getDb();
  const find = typeof sp.find === 'string' ? sp.find.slice(0, 200) : '';

  // `add=<id>` (the picker form) appends to the selection and redirects to the canonical URL.
  const add = typeof sp.add === 'string' ? sp.add : undefined;
  const current = typeof sp.models === 'string' && sp.models !== '' ? sp.models.split(',') : [];
  const picker = async (selected: string[]) => {
    const { choices, total } = await searchCompareChoices(db, { find, exclude: selected });
    return <Picker selected={selected} choices={choices} total={total} find={find} />;
  };
  if (add !== undefined) {
    const next = current.includes(add) ? current : [...current, add];
    if (next.length >= 2) redirect(compareHref(next.slice(0, COMPARE_MAX)));
    const names = new Map((await listExplorerEntries(db, { models: next })).map((e) => [e.modelId, e.name]));
    return (
      <div>
        <h1>Compare models</h1>
        <p>Picked: {next.map((id) => names.get(id) ?? id).join(', ')}. Pick one more.</p>
        {await picker(next)}
      </div>
    );
  }
  if (current.length === 0 || sp.models === undefined) {
    return (
      <div>
        <h1>Compare models</h1>
        <p>
          Pick 2 to 6 models: tick them in the <a href="/explorer">explorer</a>&apos;s table (or hover a point and “Add to compare”), or add
          them here.
        </p>
        {current.length > 0 && <p>Picked: {current.join(', ')}. Pick one more.</p>}
        {await picker(current)}
      </div>
    );
  }

  let ids: string[];
  let entries: TExplorerEntry[];
  let groups: ReturnType<typeof groupForCompare>;
  try {
    ids = parseCompareSelection({ models: sp.models });
    // Only the compared models and their declared baselines (named in the lineage table) are loaded.
    const baselines = await db.model.findMany({
      where: { slug: { in: ids }, baseline: { isNot: null } },
      select: { baseline: { select: { slug: true } } },
    });
    entries = await listExplorerEntries(db, { models: [...ids, ...baselines.map((b) => b.baseline!.slug)] });
    groups = groupForCompare(entries, ids);
  } catch (e) {
    if (!isSlimboardError(e)) throw e;
    return (
      <BadLink
        title={(e as SlimboardError).code === 'unknown_model' ? 'Unknown model' : 'Bad compare link'}
        message={e.message}
        href="/compare"
        linkText="Start a new comparison"
      />
    );
  }

  const models = new Map<string, TExplorerEntry>();
  for (const e of entries) if (!models.has(e.modelId)) models.set(e.modelId, e);
  const rows = compareRows(groups);
  const heads = groups.map((g) => g.entries[0]);
  const without = (id: string) => ids.filter((x) => x !== id);

  // Latency distributions: every (device, input size) where at least one model has raw samples.
  const dist = new Map<string, { title: string; series: TLatencySeries[] }>();
  for (const g of groups) {
    for (const e of g.entries) {
      for (const l of e.latency) {
        if (l.samplesMs.length === 0) continue;
        const k = `${l.device}@${e.inputSize}`;
        const d = dist.get(k) ?? { title: `${l.deviceLabel}, input ${e.inputSize} px`, series: [] };
        d.series.push({ label: heads[groups.indexOf(g)].name, samplesMs: l.samplesMs });
        dist.set(k, d);
      }
    }
  }

  const lineage: Array<[string, (e: TExplorerEntry) => string]> = [
    ['Dataset', (e) => datasetLabel(e.dataset)],
    ['Family / backbone', (e) => `${e.family} / ${e.backbone}`],
    ['Method', (e) => METHOD_LABELS[e.method]],
    ['Strategy', (e) => e.strategy],
    ['Pretraining', (e) => e.pretraining ?? '—'],
    ['Teacher', (e) => (e.teacher ? e.teacher.name : '—')],
    [
      'Baseline',
      (e) =>
        e.baselineModelId ? (models.get(e.baselineModelId)?.name ?? e.baselineModelId) : e.method === 'baseline' ? '(is a baseline)' : '—',
    ],
    [
      'Pruned ratios',
      (e) =>
        e.strategyParams && Array.isArray(e.strategyParams.prunedRatios) ? (e.strategyParams.prunedRatios as number[]).join(', ') : '—',
    ],
    [
      'Pruned params',
      (e) =>
        e.strategyParams && Array.isArray(e.strategyParams.prunedParams)
          ? `${(e.strategyParams.prunedParams as string[]).length} tensors`
          : '—',
    ],
    [
      'Input sizes',
      (e) =>
        groups
          .find((g) => g.modelId === e.modelId)!
          .entries.map((x) => x.inputSize)
          .join(', '),
    ],
    ['Numbers from', (e) => e.provenance],
  ];

  return (
    <div className="sb-compare" data-testid="compare-page" data-models={ids.join(',')}>
      <h1>Compare {ids.length} models</h1>
      <p className="sb-muted">Deltas are against the first model ({heads[0].name}); accuracy in points, costs in percent.</p>
      <ScrollFrame label="Lineage and parameters">
        <table className="sb-table" data-testid="compare-lineage">
          <caption>Lineage and parameters</caption>
          <thead>
            <tr>
              <th scope="col" className="sticky-col" />
              {heads.map((e, i) => (
                <th key={e.modelId} scope="col">
                  <a href={modelHref(e.modelId)}>{e.name}</a>
                  {i === 0 && <span className="sb-muted"> (reference)</span>}{' '}
                  {ids.length > 2 && (
                    <a className="sb-muted" href={compareHref(without(e.modelId))} aria-label={`remove ${e.name}`}>
                      ×
                    </a>
                  )}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {lineage.map(([label, get]) => (
              <tr key={label}>
                <th scope="row" className="sticky-col">
                  {label}
                </th>
                {heads.map((e) => (
                  <td key={e.modelId} className="sb-wrap">
                    {get(e)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollFrame>
      {await picker(ids)}
      <ScrollFrame label="Every number">
        <table className="sb-table" data-testid="compare-metrics">
          <caption>Every number at every input size and device</caption>
          <thead>
            <tr>
              <th scope="col" className="sticky-col">
                Metric
              </th>
              <th scope="col">Input size</th>
              {heads.map((e) => (
                <th key={e.modelId} scope="col">
                  {e.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.label}@${r.inputSize}`} data-metric={r.label} data-quantity={r.quantity} data-size={r.inputSize}>
                <th scope="row" className="sticky-col">
                  {r.label} ({r.unit})
                </th>
                <td>{r.inputSize}</td>
                {r.cells.map((c, i) => (
                  <td key={ids[i]} className="sb-num" data-value={c.value ?? ''}>
                    {formatExplorerFixed(r.quantity, c.value)}
                    <DeltaText cell={c} row={r} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollFrame>
      <h2>Latency distributions</h2>
      {dist.size === 0 ? (
        <p className="sb-muted" data-testid="no-distribution">
          None of these models has raw latency samples: published latencies are single ms/image numbers. Models measured by Slimboard show
          their distribution here.
        </p>
      ) : (
        [...dist.entries()].map(([k, d]) => <LatencyBoxPlot key={k} title={d.title} series={d.series} />)
      )}
    </div>
  );
}
