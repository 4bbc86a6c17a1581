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
import { buildZooRows, loadZooMeta } from './list-zoo-rows';
import type { TZooQuery } from './query';
import { latencyColumnsOfMatching, resolveFilterIds, selectZooRowKeys } from './select-zoo-rows';

/**
 * Streamed CSV/JSON export of every row a query selects (same bytes as zooRowsToCsv / zooRowsToJson over the same
 * rows). The row keys are selected once in SQL (about 100 bytes each); full rows are built and written
 * EXPORT_BATCH_ROWS (2,000) at a time, when the reader asks for more (pull), so memory does not grow with the zoo's
 * numbers, and a reader that goes away (cancel, or `signal` aborting) stops the work at the next batch.
 */

export const EXPORT_BATCH_ROWS = 2000;

export interface ZooExportStreamOptions extends Omit<ExportOptions, 'deviceLabels'> {
  format: 'csv' | 'json';
  signal?: AbortSignal;
  batchRows?: number;
}

export async function zooExportStream(db: Db, query: TZooQuery, o: ZooExportStreamOptions): Promise<ReadableStream<Uint8Array>> {
  const [meta, ids] = await Promise.all([loadZooMeta(db), resolveFilterIds(db, query)]);
  const [keys, latency] = await Promise.all([
    selectZooRowKeys(db, query, ids, { offset: 0, limit: 1_000_000_000 }),
    o.format === 'csv' ? latencyColumnsOfMatching(db, query, ids) : Promise.resolve([]),
  ]);
  const sections = new Map(meta.sections.map((s) => [s.slug, s]));
  const options: ExportOptions = { baseUrl: o.baseUrl, deviceLabels: deviceLabelsOf(meta.devices) };
  const metrics = exportMetricColumnsFor(latency, options.deviceLabels);
  const batch = o.batchRows ?? EXPORT_BATCH_ROWS;
  const encoder = new TextEncoder();
  let next = 0;
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(
        encoder.encode(o.format === 'csv' ? `${csvHeaderLine(zooCsvHeaderFor(metrics))}\r\n` : `{"count":${keys.length},"rows":[`),
      );
    },
    async pull(controller) {
      if (cancelled || o.signal?.aborted) {
        controller.close();
        return;
      }
      if (next >= keys.length) {
        if (o.format === 'json') controller.enqueue(encoder.encode(']}'));
        controller.close();
        return;
      }
      const slice = keys.slice(next, next + batch);
      const rows = await buildZooRows(db, slice, sections);
      const parts = rows.map((r, i) =>
        o.format === 'csv'
          ? `${zooRowCsvLine(r, metrics, options)}\r\n`
          : `${next + i > 0 ? ',' : ''}${JSON.stringify(zooRowToJson(r, options))}`,
      );
      next += slice.length;
      controller.enqueue(encoder.encode(parts.join('')));
    },
    cancel() {
      cancelled = true;
    },
  });
}
