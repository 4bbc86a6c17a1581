import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getDb } from '@/lib/db/client';
import { isSlimboardError } from '@/lib/errors';
import { buildChartModel } from '@/lib/explorer/chart-model';
import { packedExplorerEntries } from '@/lib/explorer/entry-pack';
import { parseExplorerView, type TExplorerView } from '@/lib/explorer/view-state';
import { loadExplorerView, type TExplorerViewData } from '@/lib/zoo/explorer-view-data';
import type { TZooVersioned } from '@/lib/zoo/zoo-cache';
import { ExplorerClient } from './explorer-client';
import { BadLink } from '../bad-link';
import { ZooVersionNote } from '../zoo-version-note';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Trade-off explorer' };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function ExplorerPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  let loaded: TZooVersioned<TExplorerViewData>;
  let data: TExplorerViewData;
  try {
    const view: TExplorerView = parseExplorerView(sp);
    // Only the view's dataset (and, past the point budget, only the view's points) is loaded: lib/zoo/explorer-view-data.ts.
    // After a write at scale, the view's last data while the new is computed (the note below says so).
    loaded = await loadExplorerView(await getDb(), view);
    data = loaded.value;
    // A link naming a dataset without results is a 404 (app/explorer/not-found.tsx lists the datasets there are).
    if (sp.dataset !== undefined && !data.datasets.includes(view.dataset)) notFound();
    // Resolve once on the server so a URL naming a metric or device the data lacks gets a clear message.
    buildChartModel(data.entries, data.view);
  } catch (e) {
    if (!isSlimboardError(e)) throw e;
    return <BadLink title="Bad explorer link" message={e.message} href="/explorer" linkText="Open the default view" />;
  }
  return (
    <div>
      <h1>Trade-off explorer</h1>
      <p className="sb-muted">
        Which model gives the most accuracy for the compute, memory or latency you can afford? Each dot is one model at one input size; the
        black step line is the Pareto frontier (no other dot is both cheaper and at least as accurate). The view lives in the URL: copy it
        to share.
      </p>
      <ZooVersionNote data={loaded} />
      <ExplorerClient
        packed={packedExplorerEntries(data.entries)}
        initialView={data.view}
        datasets={data.datasets}
        reduction={data.reduction}
        basePath="/explorer"
      />
    </div>
  );
}
