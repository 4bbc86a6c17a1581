import { describe, expect, it } from 'vitest';
import { paddleDetectionSlimCatalog } from '../../prisma/seed/paddledetection-slim';
import { createScratchDatabase } from '../../tests/setup/scratch-database';
import { getDb } from '../db/client';
import { deviceLabelsOf, zooRowsToCsv, zooRowsToJson } from './export';
import { zooExportStream } from './export-stream';
import { importCatalog } from './import-catalog';
import { listZooRows } from './list-zoo-rows';
import { parseZooQuery } from './query';

/** The streamed export gives the same bytes as the in-memory export of the same rows (real Postgres, imported seed). */
const BASE = 'http://sb.test';

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe('zooExportStream', () => {
  it.each([{}, { dataset: 'coco', sort: 'gflops', dir: 'desc' }, { method: 'quant' }, { dataset: 'nothing-matches' }])(
    '%o: CSV and JSON equal zooRowsToCsv / zooRowsToJson, in batches of 7',
    async (params) => {
      const db = await getDb();
      const query = parseZooQuery(params);
      const { rows, data } = await listZooRows(db, query);
      const options = { baseUrl: BASE, deviceLabels: deviceLabelsOf(data.devices) };
      const csv = await readAll(await zooExportStream(db, query, { format: 'csv', baseUrl: BASE, batchRows: 7 }));
      expect(csv).toBe(zooRowsToCsv(rows, options));
      const json = await readAll(await zooExportStream(db, query, { format: 'json', baseUrl: BASE, batchRows: 7 }));
      expect(JSON.parse(json)).toEqual(zooRowsToJson(rows, options));
    },
  );

  it('JSON: a model deleted while the export runs is in neither its rows nor its count', async () => {
    const scratch = await createScratchDatabase();
    try {
      await importCatalog(scratch.db, paddleDetectionSlimCatalog);
      const query = parseZooQuery({ source: 'reported' });
      const { rows } = await listZooRows(scratch.db, query);
      // The last row's model, if nothing names it as baseline, parent or teacher (a Restrict delete would refuse).
      const named = await scratch.db.model.findMany({ select: { baselineId: true, parentId: true, teacherId: true } });
      const used = new Set(named.flatMap((m) => [m.baselineId, m.parentId, m.teacherId]));
      const models = await scratch.db.model.findMany({ select: { id: true, slug: true } });
      const idOf = new Map(models.map((m) => [m.slug, m.id]));
      const victim = [...rows].reverse().find((r) => !used.has(idOf.get(r.model.slug)!))!.model.slug;
      const victimRows = rows.filter((r) => r.model.slug === victim).length;
      expect(victimRows).toBeGreaterThan(0);

      const reader = (await zooExportStream(scratch.db, query, { format: 'json', baseUrl: BASE, batchRows: 10 })).getReader();
      const decoder = new TextDecoder();
      let text = decoder.decode((await reader.read()).value) + decoder.decode((await reader.read()).value);
      await scratch.db.model.delete({ where: { slug: victim } });
      for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value);
      const json = JSON.parse(text) as { rows: Array<{ model: { slug: string } }>; count: number };
      expect(json.rows.length).toBe(rows.length - victimRows);
      expect(json.count).toBe(json.rows.length);
      expect(json.rows.some((r) => r.model.slug === victim)).toBe(false);
    } finally {
      await scratch.drop();
    }
  });

  it('a batch whose read fails errors the stream with that failure and finishes it once (the slot is free)', async () => {
    const scratch = await createScratchDatabase();
    try {
      await importCatalog(scratch.db, paddleDetectionSlimCatalog);
      let finished = 0;
      const reader = (
        await zooExportStream(scratch.db, parseZooQuery({}), {
          format: 'csv',
          baseUrl: BASE,
          batchRows: 10,
          onFinish: () => void finished++,
        })
      ).getReader();
      const decoder = new TextDecoder();
      const header = decoder.decode((await reader.read()).value);
      const first = decoder.decode((await reader.read()).value);
      expect([header.split('\r\n').length, first.trimEnd().split('\r\n').length, finished]).toEqual([2, 10, 0]);
      // The database loses a table the next batch reads (as a dropped connection or a failing query would fail it).
      await scratch.db.$executeRawUnsafe('ALTER TABLE "Measurement" RENAME TO "MeasurementGone"');
      await expect(reader.read()).rejects.toThrow(/Measurement/);
      expect(finished).toBe(1);
      await expect(reader.read()).rejects.toThrow(/Measurement/); // errored for good: no more rows, no second finish
      await reader.cancel().catch(() => undefined);
      expect(finished).toBe(1);
    } finally {
      await scratch.drop();
    }
  });

  it('stops building rows once the signal aborts (only the header and first batch are written)', async () => {
    const db = await getDb();
    const abort = new AbortController();
    const stream = await zooExportStream(db, parseZooQuery({ source: 'reported' }), {
      format: 'csv',
      baseUrl: BASE,
      batchRows: 10,
      signal: abort.signal,
    });
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    text += decoder.decode((await reader.read()).value);
    abort.abort();
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value);
    const lines = text.trimEnd().split('\r\n');
    expect(lines.length).toBeLessThan(1 + 85);
    expect(lines.length).toBeGreaterThanOrEqual(1 + 10);
  });
  it('calls onFinish exactly once: after the last row, on the reader cancelling, on the signal aborting, read or not', async () => {
    const db = await getDb();
    const query = parseZooQuery({ source: 'reported' });
    const count = () => {
      const calls = { n: 0 };
      return { calls, onFinish: () => void calls.n++ };
    };

    const whole = count();
    const full = await zooExportStream(db, query, { format: 'csv', baseUrl: BASE, batchRows: 10, onFinish: whole.onFinish });
    const reader = full.getReader();
    await reader.read(); // the header: nothing finished yet
    expect(whole.calls.n).toBe(0);
    while (!(await reader.read()).done);
    expect(whole.calls.n).toBe(1);

    const cancelled = count();
    const partial = (
      await zooExportStream(db, query, { format: 'json', baseUrl: BASE, batchRows: 10, onFinish: cancelled.onFinish })
    ).getReader();
    await partial.read();
    await partial.read();
    await partial.cancel();
    expect(cancelled.calls.n).toBe(1);

    const aborted = count();
    const abort = new AbortController();
    const stopped = (
      await zooExportStream(db, query, { format: 'csv', baseUrl: BASE, batchRows: 10, signal: abort.signal, onFinish: aborted.onFinish })
    ).getReader();
    await stopped.read();
    abort.abort();
    while (!(await stopped.read()).done);
    await stopped.cancel(); // after the end: no second call
    expect(aborted.calls.n).toBe(1);

    // A client gone before anything was read: the abort alone finishes it (no pull or cancel ever comes).
    const unread = count();
    const gone = new AbortController();
    await zooExportStream(db, query, { format: 'csv', baseUrl: BASE, signal: gone.signal, onFinish: unread.onFinish });
    expect(unread.calls.n).toBe(0);
    gone.abort();
    expect(unread.calls.n).toBe(1);
  });
});
