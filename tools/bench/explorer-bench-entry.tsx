import { createRoot } from 'react-dom/client';
import { ExplorerClient } from '../../app/explorer/explorer-client';
import type { TExplorerEntry } from '../../lib/explorer/entry';
import { packExplorerEntries } from '../../lib/explorer/entry-pack';
import { DEFAULT_VIEW } from '../../lib/explorer/view-state';

/** Browser entry of the explorer benchmark: the real ExplorerClient on the entries the page embeds. */
declare global {
  interface Window {
    __ENTRIES__: TExplorerEntry[];
  }
}

createRoot(document.getElementById('root')!).render(
  <ExplorerClient packed={packExplorerEntries(window.__ENTRIES__)} initialView={DEFAULT_VIEW} basePath="/" />,
);
