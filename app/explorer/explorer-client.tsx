'use client';

import { memo, startTransition, useCallback, useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import {
  COST_AXES,
  COST_AXIS_INFO,
  PERCENTILES,
  datasetLabel,
  devicesForDataset,
  metricsForDataset,
  METRIC_INFO,
} from '@/lib/explorer/axes';
import { chartCsv } from '@/lib/explorer/chart-csv';
import { buildChartModel, entriesByKey, type TChartModel } from '@/lib/explorer/chart-model';
import type { TChartScene } from '@/lib/explorer/chart-scene';
import { METHODS, type TExplorerEntry, type TMethod } from '@/lib/explorer/entry';
import { unpackExplorerEntries, type TPackedExplorerEntries } from '@/lib/explorer/entry-pack';
import { formatExplorerValue } from '@/lib/zoo/number-format';
import { compareHref, serializeExplorerView, viewNeedsServer, type TExplorerView } from '@/lib/explorer/view-state';
import type { TExplorerReduction } from '@/lib/zoo/explorer-points';
import { downloadPng, downloadSvg, download } from './chart-export';
import { chartSceneSvg } from './chart-scene-draw';
import { METHOD_COLORS, METHOD_LABELS, modelHref } from './chart-style';
import { HoverStore, useHover } from './hover-store';
import { PointDetails } from './point-details';
import { ScrollFrame } from '../scroll-frame';
import { TradeoffChart } from './tradeoff-chart';
import './explorer.css';

/**
 * Rows per table page. The table re-renders after every filter change (deferred, after the chart); with 100
 * rows its layout and paint cost more main-thread time than the chart itself and delayed the next change.
 */
const TABLE_PAGE = 50;

/** The table follows the chart once the view has been still this long (see useSettled). */
const TABLE_SETTLE_MS = 120;

/** The URL follows the view once it has been still this long (see the effect that writes it). */
const URL_WRITE_DELAY_MS = 300;

export type TExplorerClientProps = {
  /** The entries, packed by the server (lib/explorer/entry-pack.ts: a third of the payload). */
  packed: TPackedExplorerEntries;
  initialView: TExplorerView;
  /** Path the view's query string is written to (the explorer, or the landing page's default chart). */
  basePath: string;
  /** Landing page: chart only, fixed view, no controls or table. */
  compact?: boolean;
  /** Every dataset with results (the entries hold only the view's dataset); default: the entries' datasets. */
  datasets?: string[];
  /** Set when the server sent a reduced view (a frontier, baselines and a sample: lib/zoo/explorer-points.ts). */
  reduction?: TExplorerReduction | null;
};

/** The reduced view's note: what the chart holds and how to see every point. */
function ReductionNote({ reduction }: { reduction: TExplorerReduction }) {
  const r = reduction;
  return (
    <p className="sb-note" role="status" data-testid="explorer-reduction" data-in-view={r.inView} data-drawable={r.drawable}>
      This view has <strong>{r.drawable.toLocaleString('en')}</strong> points, more than the explorer draws at once (
      {r.budget.toLocaleString('en')}). Shown: the Pareto frontier computed by the database ({r.frontier} points), {r.baselines} baseline
      points of {r.baselinesInView.toLocaleString('en')}, and a uniform sample of {r.sampled.toLocaleString('en')} of the other{' '}
      {(r.drawable - r.frontier - r.baselines).toLocaleString('en')}. The frontier drawn is recomputed on these points; the frontier and the
      sample are chosen on the stored numbers (latency: the published number or the measured p50). Narrow the view (input sizes, methods,
      source) to see every point.
    </p>
  );
}

function safeModel(entries: TExplorerEntry[], view: TExplorerView): { model: TChartModel | null; error: string | null } {
  try {
    return { model: buildChartModel(entries, view), error: null };
  } catch (e) {
    return { model: null, error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * `value`, but a new value shows up only once it has stayed the same for `settleMs`, and then as a
 * transition (a newer change interrupts it). For the table below the chart: rendering, restyling and
 * laying out its rows costs more main-thread time than the chart itself (10-40 ms here), so it must not
 * share the frames that show the chart's response, and views someone flips through on the way are
 * never rendered into it. useDeferredValue is not enough: its background render starts at once and
 * commits before the chart's frame has been shown.
 */
function useSettled<T>(value: T, settleMs: number): T {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => startTransition(() => setShown(() => value)), settleMs);
    return () => clearTimeout(timer);
  }, [value, settleMs]);
  return shown;
}

function fileStem(m: TChartModel): string {
  const s = m.sel;
  return [
    'slimboard',
    s.dataset,
    s.y ?? 'acc',
    'vs',
    s.x,
    s.x === 'latency' ? `${s.pct}-${s.device}` : '',
    s.sizes ? s.sizes.join('-') : 'all',
  ]
    .filter(Boolean)
    .join('_');
}

export function ExplorerClient({
  packed,
  initialView,
  basePath,
  compact = false,
  datasets: allDatasets,
  reduction = null,
}: TExplorerClientProps) {
  const entries = useMemo(() => unpackExplorerEntries(packed), [packed]);
  const [view, setViewState] = useState<TExplorerView>(initialView);
  // A view the loaded entries cannot draw (another dataset; in a reduced view another selection) is loaded from the
  // server: the old chart stays until the new page arrives.
  const pending = !compact && viewNeedsServer(initialView, view, reduction !== null);
  useEffect(() => {
    if (!pending) return;
    const qs = serializeExplorerView(view);
    window.location.assign(qs ? `${basePath}?${qs}` : basePath);
  }, [pending, view, basePath]);
  const hoverStore = useMemo(() => new HoverStore(), []);
  const hostRef = useRef<HTMLDivElement | null>(null);
  const sceneRef = useRef<TChartScene | null>(null);
  const sceneSvg = () => (sceneRef.current ? chartSceneSvg(sceneRef.current) : '');

  const byKey = useMemo(() => entriesByKey(entries), [entries]);
  const nameOf = useMemo(() => {
    const m = new Map<string, string>();
    for (const e of entries) if (!m.has(e.modelId)) m.set(e.modelId, e.name);
    return m;
  }, [entries]);
  const { model, error } = useMemo(() => safeModel(entries, pending ? initialView : view), [entries, view, pending, initialView]);

  const setView = useCallback((patch: Partial<TExplorerView>, drop: Array<keyof TExplorerView> = []) => {
    setViewState((prev) => {
      const next: TExplorerView = { ...prev, ...patch };
      for (const k of drop) delete next[k];
      return next;
    });
  }, []);

  // The view lives in the URL, written once the view has stayed the same for URL_WRITE_DELAY_MS, and at
  // once before the page is left (a link, a click-through, pagehide) so Back returns to the same view.
  // history.replaceState is a synchronous round trip to the browser process (from under 1 ms to 30+ ms on
  // this machine): paid on every change it delayed the next frame while someone flipped through views.
  const firstView = useRef(view);
  const pendingUrl = useRef<(() => void) | null>(null);
  useEffect(() => {
    if (compact || pending || view === firstView.current) return;
    const write = () => {
      pendingUrl.current = null;
      const qs = serializeExplorerView(view);
      window.history.replaceState(window.history.state, '', qs ? `${basePath}?${qs}` : basePath);
    };
    pendingUrl.current = write;
    const timer = setTimeout(write, URL_WRITE_DELAY_MS);
    return () => {
      clearTimeout(timer);
      if (pendingUrl.current === write) pendingUrl.current = null;
    };
  }, [view, basePath, compact, pending]);
  const flushUrl = useCallback(() => pendingUrl.current?.(), []);
  useEffect(() => {
    window.addEventListener('pagehide', flushUrl);
    return () => window.removeEventListener('pagehide', flushUrl);
  }, [flushUrl]);
  const onLinkClick = useCallback(
    (e: MouseEvent<HTMLDivElement>) => {
      if (e.target instanceof Element && e.target.closest('a[href]')) flushUrl();
    },
    [flushUrl],
  );

  const onOpen = useCallback(
    (key: string) => {
      const e = byKey.get(key);
      if (!e) return;
      flushUrl();
      window.location.assign(modelHref(e.modelId));
    },
    [byKey, flushUrl],
  );

  const datasets = useMemo(() => allDatasets ?? [...new Set(entries.map((e) => e.dataset))], [allDatasets, entries]);
  const metrics = useMemo(() => metricsForDataset(view.dataset, entries), [view.dataset, entries]);
  const devices = useMemo(() => devicesForDataset(entries, view.dataset), [entries, view.dataset]);
  const sizes = useMemo(
    () => [...new Set(entries.filter((e) => e.dataset === view.dataset).map((e) => e.inputSize))].sort((a, b) => a - b),
    [entries, view.dataset],
  );
  const compare = useMemo(() => view.compare ?? [], [view.compare]);

  const toggleCompare = useCallback(
    (modelId: string) => {
      const next = compare.includes(modelId) ? compare.filter((m) => m !== modelId) : [...compare, modelId].slice(0, 6);
      setView({ compare: next }, next.length === 0 ? ['compare'] : []);
    },
    [compare, setView],
  );

  // The table (text alternative) follows the chart once the view has settled (see useSettled): a filter or
  // axis change never waits for the table's rows to render, restyle and lay out.
  const tableInput = useMemo(() => ({ model: compact ? null : model, frontierOnly: view.frontier }), [compact, model, view.frontier]);
  const { model: tableModel, frontierOnly: tableFrontierOnly } = useSettled(tableInput, TABLE_SETTLE_MS);
  const tableRows = useMemo(() => {
    if (!tableModel) return [];
    return tableFrontierOnly ? tableModel.frontier : [...tableModel.points].sort((a, b) => a.cost - b.cost || b.accuracy - a.accuracy);
  }, [tableModel, tableFrontierOnly]);

  return (
    <div className="sb-explorer" onClickCapture={onLinkClick}>
      {!compact && (
        <form className="sb-controls" aria-label="Chart settings" onSubmit={(e) => e.preventDefault()}>
          <label>
            Dataset{' '}
            <select name="dataset" value={view.dataset} onChange={(e) => setView({ dataset: e.target.value }, ['y', 'device', 'sizes'])}>
              {datasets.map((d) => (
                <option key={d} value={d}>
                  {datasetLabel(d)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Cost (x){' '}
            <select name="x" value={view.x} onChange={(e) => setView({ x: e.target.value as TExplorerView['x'] })}>
              {COST_AXES.map((a) => (
                <option key={a} value={a}>
                  {COST_AXIS_INFO[a].label} ({COST_AXIS_INFO[a].unit})
                </option>
              ))}
            </select>
          </label>
          <label>
            Accuracy (y){' '}
            <select name="y" value={model?.sel.y ?? ''} onChange={(e) => setView({ y: e.target.value as TExplorerView['y'] })}>
              {metrics.map((m) => (
                <option key={m} value={m}>
                  {METRIC_INFO[m].label}
                </option>
              ))}
            </select>
          </label>
          {view.x === 'latency' && (
            <>
              <label>
                Device{' '}
                <select name="device" value={model?.sel.device ?? ''} onChange={(e) => setView({ device: e.target.value })}>
                  {devices.map((d) => (
                    <option key={d.device} value={d.device}>
                      {d.deviceLabel}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Percentile{' '}
                <select name="pct" value={view.pct} onChange={(e) => setView({ pct: e.target.value as TExplorerView['pct'] })}>
                  {PERCENTILES.map((p) => (
                    <option key={p} value={p}>
                      {p}
                    </option>
                  ))}
                </select>
              </label>
            </>
          )}
          <label>
            <input type="checkbox" name="log" checked={view.log} onChange={(e) => setView({ log: e.target.checked })} /> Log scale
          </label>
          <fieldset>
            <legend>Input size</legend>
            {sizes.map((s) => {
              const on = view.sizes === undefined || view.sizes.includes(s);
              return (
                <label key={s}>
                  <input
                    type="checkbox"
                    name="size"
                    value={s}
                    checked={on}
                    onChange={() => {
                      const cur = view.sizes ?? sizes;
                      const next = on ? cur.filter((x) => x !== s) : [...cur, s].sort((a, b) => a - b);
                      setView({
                        sizes:
                          next.length === sizes.length
                            ? undefined
                            : next.length === 0
                              ? [s === sizes[0] ? (sizes[1] ?? s) : sizes[0]]
                              : next,
                      });
                    }}
                  />{' '}
                  {s}
                </label>
              );
            })}
          </fieldset>
          <fieldset>
            <legend>Method</legend>
            {METHODS.map((m) => {
              const on = view.methods === undefined || view.methods.includes(m);
              return (
                <label key={m}>
                  <input
                    type="checkbox"
                    name="method"
                    value={m}
                    checked={on}
                    onChange={() => {
                      const cur: TMethod[] = view.methods ?? [...METHODS];
                      const next = on ? cur.filter((x) => x !== m) : [...cur, m];
                      setView({ methods: next.length === METHODS.length ? undefined : next.sort() });
                    }}
                  />{' '}
                  <span className="sb-swatch" style={{ background: METHOD_COLORS[m] }} /> {METHOD_LABELS[m]}
                </label>
              );
            })}
          </fieldset>
          <label>
            Source{' '}
            <select name="source" value={view.source} onChange={(e) => setView({ source: e.target.value as TExplorerView['source'] })}>
              <option value="all">all</option>
              <option value="published">published</option>
              <option value="measured">measured</option>
            </select>
          </label>
        </form>
      )}

      {error && (
        <p className="sb-error" role="alert">
          {error}
        </p>
      )}

      {pending && (
        <p className="sb-note" role="status" data-testid="explorer-loading">
          Loading this view from the server…
        </p>
      )}
      {reduction && reduction.drawable > reduction.budget && <ReductionNote reduction={reduction} />}

      {model && (
        <>
          <p className="sb-summary" data-testid="chart-summary" data-points={model.points.length} data-frontier={model.frontier.length}>
            <strong>{model.points.length}</strong> points, <strong>{model.frontier.length}</strong> on the Pareto frontier
            {(reduction ? reduction.inView - reduction.drawable : model.missingValue) > 0 && (
              <>
                {' '}
                · {reduction ? reduction.inView - reduction.drawable : model.missingValue} model variants of this dataset lack this cost or
                metric and are not drawn
              </>
            )}
          </p>
          <div className="sb-chart-wrap">
            <TradeoffChart
              title={model.title}
              xTitle={model.xTitle}
              yTitle={model.yTitle}
              log={model.sel.log}
              xDomain={model.xDomain}
              xTicks={model.xTicks}
              yDomain={model.yDomain}
              yTicks={model.yTicks}
              byMethod={model.byMethod}
              frontierKeys={model.frontierKeys}
              frontierSteps={model.frontierSteps}
              curves={model.curves}
              arrows={model.arrows}
              intervalBars={model.intervalBars}
              sources={model.sources}
              hoverStore={hoverStore}
              onOpen={onOpen}
              hostRef={hostRef}
              sceneRef={sceneRef}
              height={compact ? 440 : 520}
            />
            <HoverTooltip store={hoverStore} model={model} byKey={byKey} />
            {model.points.length === 0 && <p className="sb-empty">No model has both numbers for this selection.</p>}
          </div>
          <p className="sb-muted sb-axis-note" data-testid="cost-convention">
            {COST_AXIS_INFO[model.sel.x].label} ({COST_AXIS_INFO[model.sel.x].unit}): {COST_AXIS_INFO[model.sel.x].convention}
          </p>
          <div className="sb-toolbar">
            <button type="button" onClick={() => hostRef.current && downloadPng(hostRef.current, sceneSvg(), `${fileStem(model)}.png`)}>
              Export PNG
            </button>
            <button type="button" onClick={() => hostRef.current && downloadSvg(hostRef.current, sceneSvg(), `${fileStem(model)}.svg`)}>
              Export SVG
            </button>
            <button
              type="button"
              onClick={() =>
                download(
                  `${fileStem(model)}.csv`,
                  new Blob([chartCsv(model.points, model.frontierKeys, byKey, model.sel)], { type: 'text/csv' }),
                )
              }
            >
              Export CSV
            </button>
            {compact && (
              <a href={`/explorer?${serializeExplorerView(view)}`} className="sb-button-link">
                Open in the explorer →
              </a>
            )}
          </div>
          {!compact && <PinnedDetails store={hoverStore} model={model} byKey={byKey} compare={compare} onToggleCompare={toggleCompare} />}
        </>
      )}

      {!compact && (
        <div className="sb-compare-tray" data-testid="compare-tray">
          <strong>Compare:</strong>{' '}
          {compare.length === 0 && (
            <span className="sb-muted">tick models in the table (or hover a point and “Add to compare”), 2 to 6.</span>
          )}
          {compare.map((id) => (
            <span key={id} className="sb-chip">
              {nameOf.get(id) ?? id}{' '}
              <button type="button" aria-label={`remove ${id}`} onClick={() => toggleCompare(id)}>
                ×
              </button>
            </span>
          ))}
          {compare.length >= 2 && (
            <a className="sb-button-link" href={compareHref(compare)} data-testid="compare-link">
              Compare {compare.length} models →
            </a>
          )}
        </div>
      )}

      {!compact && tableModel && (
        <section className="sb-table-section">
          <h2>Data ({tableFrontierOnly ? 'Pareto frontier only' : 'all points'})</h2>
          <label>
            <input type="checkbox" name="frontier" checked={view.frontier} onChange={(e) => setView({ frontier: e.target.checked })} /> Show
            only the frontier
          </label>
          <PointTable rows={tableRows} model={tableModel} byKey={byKey} compare={compare} onToggleCompare={toggleCompare} />
        </section>
      )}
    </div>
  );
}

function HoverTooltip({ store, model, byKey }: { store: HoverStore; model: TChartModel; byKey: Map<string, TExplorerEntry> }) {
  const hover = useHover(store);
  if (!hover) return null;
  const point = model.points.find((p) => p.key === hover.key);
  const entry = byKey.get(hover.key);
  if (!point || !entry) return null;
  const baseline = point.baselineKey ? (byKey.get(point.baselineKey) ?? null) : null;
  const flip = hover.xPx > 420;
  return (
    <>
      <div className="sb-ring" style={{ left: hover.xPx - 9, top: hover.yPx - 9 }} />
      <div
        className="sb-tooltip"
        role="tooltip"
        data-testid="chart-tooltip"
        style={flip ? { right: `calc(100% - ${hover.xPx - 14}px)`, top: hover.yPx + 10 } : { left: hover.xPx + 14, top: hover.yPx + 10 }}
      >
        <PointDetails
          point={point}
          entry={entry}
          baseline={baseline}
          costLabel={model.xTitle}
          costQuantity={model.sel.x}
          accuracyLabel={model.yTitle}
          sel={model.sel}
        />
        <div className="sb-muted">click to open the model page</div>
      </div>
    </>
  );
}

/** The last hovered point stays in view below the chart (sticky), so its buttons can be reached. */
function PinnedDetails({
  store,
  model,
  byKey,
  compare,
  onToggleCompare,
}: {
  store: HoverStore;
  model: TChartModel;
  byKey: Map<string, TExplorerEntry>;
  compare: string[];
  onToggleCompare: (modelId: string) => void;
}) {
  const hover = useHover(store);
  const [lastKey, setLastKey] = useState<string | null>(null);
  const hoverKey = hover?.key ?? null;
  useEffect(() => {
    if (hoverKey !== null) setLastKey(hoverKey);
  }, [hoverKey]);
  const point = lastKey ? (model.points.find((p) => p.key === lastKey) ?? null) : null;
  const entry = point ? (byKey.get(point.key) ?? null) : null;
  if (!point || !entry)
    return <p className="sb-muted sb-pinned-hint">Hover a point for its lineage and provenance; click it to open the model page.</p>;
  return (
    <div className="sb-pinned">
      <PointDetails
        point={point}
        entry={entry}
        baseline={point.baselineKey ? (byKey.get(point.baselineKey) ?? null) : null}
        costLabel={model.xTitle}
        costQuantity={model.sel.x}
        accuracyLabel={model.yTitle}
        sel={model.sel}
      />
      <div className="sb-pinned-actions">
        <a href={modelHref(entry.modelId)}>Open model page</a>
        <button type="button" onClick={() => onToggleCompare(entry.modelId)}>
          {compare.includes(entry.modelId) ? 'Remove from compare' : 'Add to compare'}
        </button>
      </div>
    </div>
  );
}

const PointTable = memo(function PointTable({
  rows,
  model,
  byKey,
  compare,
  onToggleCompare,
}: {
  rows: TChartModel['points'];
  model: TChartModel;
  byKey: Map<string, TExplorerEntry>;
  compare: string[];
  onToggleCompare: (modelId: string) => void;
}) {
  // Long tables render in pages of TABLE_PAGE rows so filter changes stay fast with thousands of points.
  const [limit, setLimit] = useState(TABLE_PAGE);
  const shown = rows.length > limit ? rows.slice(0, limit) : rows;
  return (
    <>
      <ScrollFrame label="Points table">
        <table className="sb-table" data-testid="points-table" data-rows={rows.length}>
          <caption>Text alternative to the chart: {model.title}. One row per point, cheapest first; ✓ marks the Pareto frontier.</caption>
          <thead>
            <tr>
              <th scope="col">Compare</th>
              <th scope="col" className="sticky-col">
                Model
              </th>
              <th scope="col">Backbone</th>
              <th scope="col">Method</th>
              <th scope="col">Strategy</th>
              <th scope="col">Input size</th>
              <th scope="col">{model.xTitle}</th>
              <th scope="col">{model.yTitle}</th>
              <th scope="col">Frontier</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((p, i) => {
              const e = byKey.get(p.key);
              // Keyed by row position: after a filter or axis change the rows update their cells in place
              // instead of deleting and recreating hundreds of elements (every control in a row is controlled).
              return (
                <tr key={i} data-key={p.key} data-frontier={model.frontierKeys.has(p.key) ? '1' : '0'}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`compare ${e?.name ?? p.modelId}`}
                      checked={compare.includes(p.modelId)}
                      disabled={!compare.includes(p.modelId) && compare.length >= 6}
                      onChange={() => onToggleCompare(p.modelId)}
                    />
                  </td>
                  <td className="sticky-col">
                    <a href={modelHref(p.modelId)}>{e?.name ?? p.modelId}</a>
                  </td>
                  <td>{e?.backbone}</td>
                  <td>{METHOD_LABELS[p.method]}</td>
                  <td>{e?.strategy}</td>
                  <td>{p.inputSize}</td>
                  <td className="sb-num" data-quantity={model.sel.x}>
                    {formatExplorerValue(model.sel.x, p.cost)}
                    {p.latencyReported ? '*' : ''}
                  </td>
                  <td className="sb-num" data-quantity="accuracy">
                    {formatExplorerValue('accuracy', p.accuracy)}
                  </td>
                  <td>{model.frontierKeys.has(p.key) ? '✓' : ''}</td>
                  <td>{p.source}</td>
                </tr>
              );
            })}
          </tbody>
          {model.sel.x === 'latency' && rows.some((r) => r.latencyReported) && (
            <tfoot>
              <tr>
                <td colSpan={10}>* published ms/image, statistic not stated by the source (shown for every percentile).</td>
              </tr>
            </tfoot>
          )}
        </table>
      </ScrollFrame>
      {rows.length > shown.length && (
        <p>
          Showing {shown.length} of {rows.length} rows.{' '}
          <button type="button" onClick={() => setLimit((l) => l + TABLE_PAGE * 5)}>
            Show {Math.min(TABLE_PAGE * 5, rows.length - shown.length)} more
          </button>{' '}
          <button type="button" onClick={() => setLimit(rows.length)}>
            Show all
          </button>{' '}
          (or export the CSV)
        </p>
      )}
    </>
  );
});
