import type { Db } from '../db/client';
import {
  csvHeaderLine,
  deviceLabelsOf,
  exportMetricColumnsFor,
  zooCsvHeaderFor,
  zooRowCsvLine,
  zooRowToJson,
  type ExportOptions,
} from './export';
import { withQueryCancellation } from '../db/query-cancellation';
import { buildZooRows, loadZooRowsMeta } from './list-zoo-rows';
import type { TZooQuery } from './query';
import { latencyColumnsOfMatching, resolveFilterIds, selectPackedZooRowKeys, unpackZooRowKeys, type ZooRowKey } from './select-zoo-rows';

/**
 * Streamed CSV/JSON export of every row a query selects (same bytes as zooRowsToCsv / zooRowsToJson over the same
 * rows). The row keys are selected once in SQL, packed as int arrays per section (selectPackedZooRowKeys: about 24
 * bytes a row, so one snapshot of the order without holding a transaction open); full rows are built and written
 * EXPORT_BATCH_ROWS (500) at a time, when the reader asks for more (pull), so memory does not grow with the zoo's
 * numbers, and a reader that goes away (cancel, or `signal` aborting) stops the work at the next batch; with `signal`,
 * the query in flight is cancelled too (lib/db/query-cancellation.ts).
 * tools/bench/zoo-export-memory.ts measures the time and RSS of a full export.
 */

export const EXPORT_BATCH_ROWS = 500;

export interface ZooExportStreamOptions extends Omit<ExportOptions, 'deviceLabels'> {
  format: 'csv' | 'json';
  signal?: AbortSignal;
  batchRows?: number;
  /** Called once when the stream is done: every row written, `signal` aborted (at once), cancelled, or a batch failed. */
  onFinish?: () => void;
}

export async function zooExportStream(db: Db, query: TZooQuery, o: ZooExportStreamOptions): Promise<ReadableStream<Uint8Array>> {
  const [meta, ids] = await Promise.all([loadZooRowsMeta(db), resolveFilterIds(db, query)]);
  // The export's own queries (not the shared, cached meta data) are cancelled when its reader goes away.
  const [packed, latency] = await withQueryCancellation(o.signal, () =>
    Promise.all([
      selectPackedZooRowKeys(db, query, ids),
      o.format === 'csv' ? latencyColumnsOfMatching(db, query, ids) : Promise.resolve([]),
    ]),
  );
  const sections = new Map(meta.sections.map((s) => [s.slug, s]));
  const options: ExportOptions = { baseUrl: o.baseUrl, deviceLabels: deviceLabelsOf(meta.devices) };
  const metrics = exportMetricColumnsFor(latency, options.deviceLabels);
  const batch = o.batchRows ?? EXPORT_BATCH_ROWS;
  const encoder = new TextEncoder();
  let section = 0; // where the next batch starts: packed[section], row `within` (all written once section = packed.length)
  let within = 0;
  let cancelled = false;
  let rowsOut = 0; // rows written (a model deleted meanwhile drops its rows: the JSON separator follows this count)
  const nextKeys = (): ZooRowKey[] => {
    const keys: ZooRowKey[] = [];
    while (keys.length < batch && section < packed.length) {
      const s = packed[section];
      const to = Math.min(s.modelIds.length, within + batch - keys.length);
      keys.push(...unpackZooRowKeys(s, within, to));
      within = to;
      if (within >= s.modelIds.length) {
        section++;
        within = 0;
      }
    }
    return keys;
  };
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    o.onFinish?.();
  };
  // A client gone before the body is read (nothing pulls or cancels any more) still frees what onFinish holds.
  o.signal?.addEventListener('abort', finish, { once: true });
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(o.format === 'csv' ? `${csvHeaderLine(zooCsvHeaderFor(metrics))}\r\n` : '{"rows":['));
    },
    async pull(controller) {
      if (cancelled || o.signal?.aborted) {
        finish();
        controller.close();
        return;
      }
      if (section >= packed.length) {
        // The count follows the rows: it is the rows written (a model deleted meanwhile is in neither).
        if (o.format === 'json') controller.enqueue(encoder.encode(`],"count":${rowsOut}}`));
        finish();
        controller.close();
        return;
      }
      try {
        const slice = nextKeys();
        const rows = await withQueryCancellation(o.signal, () => buildZooRows(db, slice, sections));
        const parts = rows.map((r, i) =>
          o.format === 'csv'
            ? `${zooRowCsvLine(r, metrics, options)}\r\n`
            : `${rowsOut + i > 0 ? ',' : ''}${JSON.stringify(zooRowToJson(r, options))}`,
        );
        rowsOut += rows.length;
        controller.enqueue(encoder.encode(parts.join('')));
      } catch (e) {
        finish(); // the slot is free
        // Its reader went away meanwhile and the batch's query was cancelled: the stream ends as on any abort.
        if (o.signal?.aborted) return controller.close();
        throw e; // the stream errors with `e`: the reader sees it
      }
    },
    cancel() {
      cancelled = true;
      finish();
    },
  });
}
