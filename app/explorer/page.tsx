import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getDb } from '@/lib/db/client';
import { isSlimboardError } from '@/lib/errors';
import { buildChartModel } from '@/lib/explorer/chart-model';
import { parseExplorerView, type TExplorerView } from '@/lib/explorer/view-state';
import { listExplorerEntries } from '@/lib/zoo/list-explorer-entries';
import { ExplorerClient } from './explorer-client';
import { BadLink } from '../bad-link';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Trade-off explorer' };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function ExplorerPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const entries = await listExplorerEntries(await getDb());
  let view: TExplorerView;
  try {
    view = parseExplorerView(sp);
    // A link naming a dataset without results is a 404 (app/explorer/not-found.tsx lists the datasets there are).
    if (sp.dataset !== undefined && !entries.some((e) => e.dataset === view.dataset)) notFound();
    // Resolve once on the server so a URL naming a metric or device the data lacks gets a clear message.
    buildChartModel(entries, view);
  } catch (e) {
    if (!isSlimboardError(e)) throw e;
    return <BadLink title="Bad explorer link" message={e.message} href="/explorer" linkText="Open the default view" />;
  }
  return (
    <div>
      <h1>Trade-off explorer</h1>
      <p className="sb-muted">
        Which model gives the most accuracy for the compute, memory or latency you can afford? Each dot is one model at one input
        size; the black step line is the Pareto frontier (no other dot is both cheaper and at least as accurate). The view lives in
        the URL: copy it to share.
      </p>
      <ExplorerClient entries={entries} initialView={view} basePath="/explorer" />
    </div>
  );
}
