import { getDb } from '@/lib/db/client';
import { datasetLabel } from '@/lib/explorer/axes';
import { lastExplorerDatasets } from '@/lib/zoo/explorer-points';

/**
 * 404 for an explorer link naming a dataset without results: the datasets that have some, as links. Rendered with
 * every explorer page, so it reads the last computed list (lib/zoo/explorer-points.ts lastExplorerDatasets).
 */
export default async function ExplorerNotFound() {
  const datasets = [...(await lastExplorerDatasets(await getDb()))].sort();
  return (
    <div className="message-page">
      <h1>No such dataset in the explorer</h1>
      <p className="error-text" role="alert">
        This explorer link names a dataset Slimboard has no results for.
        {datasets.length ? ' Pick one that has:' : ' The zoo has no results yet.'}
      </p>
      {datasets.length ? (
        <ul>
          {datasets.map((d) => (
            <li key={d}>
              <a href={`/explorer?dataset=${encodeURIComponent(d)}`}>{datasetLabel(d)}</a> (<code>{d}</code>)
            </li>
          ))}
        </ul>
      ) : null}
      <p>
        <a href="/explorer">Open the default view</a>
      </p>
    </div>
  );
}
