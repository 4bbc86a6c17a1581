import type { Db } from '../db/client';
import type { TExplorerView } from '../explorer/view-state';
import { explorerViewData, type TExplorerViewData } from './explorer-view-data';
import { buildSectionPages, type ZooSectionPages } from './list-zoo-rows';
import { computeOverview, type TOverview } from './overview-data';
import type { TZooQuery } from './query';

/**
 * The zoo views a web server may have computed in its zoo-views process (lib/zoo/views-process.ts), named by plain
 * data that crosses the process boundary: the landing page, an explorer view's server part, a zoo page. Each is the
 * uncached computation its page's loader caches (loadOverview, loadExplorerView, listZooSectionPages).
 */
export type TZooViewRequest =
  | { kind: 'overview' }
  | { kind: 'explorer'; view: TExplorerView; budget: number }
  | { kind: 'zoo-page'; query: TZooQuery; pageSize: number };

export type TZooViewValue<R extends TZooViewRequest> = R extends { kind: 'overview' }
  ? TOverview
  : R extends { kind: 'explorer' }
    ? TExplorerViewData
    : ZooSectionPages;

/** The view `request` names, as of the zoo's current version, read through `db`. */
export function computeZooView<R extends TZooViewRequest>(db: Db, request: R): Promise<TZooViewValue<R>> {
  const r: TZooViewRequest = request;
  switch (r.kind) {
    case 'overview':
      return computeOverview(db) as Promise<TZooViewValue<R>>;
    case 'explorer':
      return explorerViewData(db, r.view, r.budget) as Promise<TZooViewValue<R>>;
    case 'zoo-page':
      return buildSectionPages(db, r.query, r.pageSize) as Promise<TZooViewValue<R>>;
  }
}
