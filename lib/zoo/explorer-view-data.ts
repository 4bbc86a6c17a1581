import type { Db } from '../db/client';
import { SlimboardError } from '../errors';
import { metricsForDataset } from '../explorer/axes';
import type { TExplorerEntry } from '../explorer/entry';
import { DEFAULT_VIEW, serializeExplorerView, serverPartOf, withClientKeys, type TExplorerView } from '../explorer/view-state';
import {
  countDatasetVariants,
  datasetAxes,
  EXPLORER_POINT_BUDGET,
  listExplorerDatasets,
  selectViewVariants,
  type TExplorerReduction,
} from './explorer-points';
import { listExplorerEntries } from './list-explorer-entries';
import { loadZooSections } from './list-zoo-rows';
import { cachedByZooVersion, cachedOrLastByZooVersion, type TZooVersioned } from './zoo-cache';
import { zooViewOffload } from './views-process';
import { zooViewSnapshots } from './zoo-view-snapshots';

/**
 * What the explorer page (and the overview's chart) sends to the browser for a view: the entries of the view's
 * dataset only, and, when the dataset has more variants than the point budget, only the points of a REDUCED view
 * (lib/zoo/explorer-points.ts selectViewVariants: the SQL frontier, the baselines and a uniform sample), which the
 * page says. Another dataset, and in a reduced view another selection (axes, device, sizes, methods, source), is
 * another request (app/explorer/explorer-client.tsx navigates: lib/explorer/view-state.ts viewNeedsServer).
 */
export interface TExplorerViewData {
  entries: TExplorerEntry[];
  /** The view; in a reduced view with its metric (and, on the latency axis, device) resolved from the database. */
  view: TExplorerView;
  /** Every dataset with zoo rows, in the explorer's order. */
  datasets: string[];
  /** Null when every variant of the dataset was sent. */
  reduction: TExplorerReduction | null;
}

/**
 * The explorer page's read of a view: explorerViewData, but after a write at scale (seconds: docs/scale.md) the
 * reader is given the view's last data, marked stale, while the new is computed (lib/zoo/zoo-cache.ts
 * cachedOrLastByZooVersion; the page says from when the numbers are). One key per view as the server's data depends
 * on it: the client-only keys (CLIENT_ONLY_KEYS: percentile, log scale, frontier filter, compare picks) are not part
 * of it, so a shared link with the log scale on is the dataset's default view, stored across restarts too.
 */
export async function loadExplorerView(
  db: Db,
  view: TExplorerView,
  budget = EXPLORER_POINT_BUDGET,
): Promise<TZooVersioned<TExplorerViewData>> {
  const server = serverPartOf(view);
  const search = serializeExplorerView(server);
  // A dataset's default view (where the navigation leads) outlives restarts; other views are as many as URLs.
  const isDefault = search === serializeExplorerView({ ...DEFAULT_VIEW, dataset: view.dataset });
  const loaded = await cachedOrLastByZooVersion(
    db,
    `explorer-page:${budget}:${search}`,
    (reader) => explorerViewData(reader, server, budget),
    {
      store: isDefault ? zooViewSnapshots(db) : undefined,
      offload: zooViewOffload({ kind: 'explorer', view: server, budget }),
    },
  );
  return { ...loaded, value: { ...loaded.value, view: withClientKeys(loaded.value.view, view) } };
}

/** A view's data as of the zoo's current version (the overview's chart: its other numbers are of that version too). */
export async function explorerViewData(db: Db, view: TExplorerView, budget = EXPLORER_POINT_BUDGET): Promise<TExplorerViewData> {
  // Independent reads at once (each cached per zoo version): after a write they are recomputed, and in a chain
  // their times added up. The sections are only needed to build the rows at the end; started now, they overlap.
  const sections = loadZooSections(db);
  sections.catch(() => undefined); // awaited (and its failure reported) by listExplorerEntries, or not needed
  const [datasets, variants, axes] = await Promise.all([
    listExplorerDatasets(db),
    countDatasetVariants(db, view.dataset),
    datasetAxes(db, view.dataset),
  ]);
  if (!datasets.includes(view.dataset)) return { entries: [], view, datasets, reduction: null };
  if (variants <= budget) {
    return { entries: await listExplorerEntries(db, { dataset: view.dataset }), view, datasets, reduction: null };
  }
  // The view's defaults as lib/explorer/points.ts resolveSelection would pick them from every entry.
  const known = metricsForDataset(view.dataset);
  const metrics = known.length > 0 ? known : axes.metrics;
  if (view.y !== undefined && metrics.length > 0 && !metrics.includes(view.y)) {
    throw new SlimboardError(
      'bad_query',
      `bad explorer URL: y: dataset "${view.dataset}" has no metric "${view.y}" (has ${metrics.join(', ')})`,
    );
  }
  if (view.device !== undefined && axes.devices.length > 0 && !axes.devices.includes(view.device)) {
    throw new SlimboardError(
      'bad_query',
      `bad explorer URL: device: no latency for "${view.device}" on ${view.dataset} (has ${axes.devices.join(', ')})`,
    );
  }
  const y = view.y ?? metrics[0];
  const device = view.device ?? (view.x === 'latency' ? axes.devices[0] : undefined);
  const resolved: TExplorerView = { ...view, ...(y ? { y } : {}), ...(device ? { device } : {}) };
  if (!y) return { entries: [], view: resolved, datasets, reduction: null };
  const sel = {
    dataset: view.dataset,
    x: view.x,
    y,
    device: device ?? null,
    sizes: view.sizes ?? null,
    methods: view.methods ?? null,
    source: view.source,
  };
  const selection = serializeExplorerView(serverPartOf(resolved));
  const key = `explorer-view:${budget}:${selection}`;
  const { entries, reduction } = await cachedByZooVersion(db, key, async () => {
    const { variants, reduction } = await selectViewVariants(db, sel, budget);
    return { entries: await listExplorerEntries(db, { variants }), reduction };
  });
  return { entries, view: resolved, datasets, reduction };
}
