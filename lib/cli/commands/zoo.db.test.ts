import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db/client';
import { publicBaseUrl } from '@/lib/http/public-base-url';
import { deviceLabelsOf, zooRowsToCsv, zooRowsToJson } from '@/lib/zoo/export';
import { zooExportStream } from '@/lib/zoo/export-stream';
import { listZooRows } from '@/lib/zoo/list-zoo-rows';
import { parseZooQuery } from '@/lib/zoo/query';
import type { CliIo } from '../command';
import zoo from './zoo';

/** `zoo export` streams the HTTP export's bytes (real Postgres, imported seed). */
function capture(): CliIo & { out: string; err: string; writes: number } {
  const io = {
    out: '',
    err: '',
    writes: 0,
    stdout: (t: string) => {
      io.out += t;
      io.writes++;
    },
    stderr: (t: string) => {
      io.err += t;
    },
  };
  return io;
}

const exportCommand = zoo.find((c) => c.words.join(' ') === 'zoo export')!;

describe('zoo export (CLI)', () => {
  it.each([
    { args: ['--format', 'csv'], params: {} },
    { args: ['--format', 'json', '--dataset', 'coco', '--method', 'prune'], params: { dataset: 'coco', method: 'prune' } },
  ])('$args: the bytes of the streamed HTTP export, equal to the in-memory export', async ({ args, params }) => {
    const io = capture();
    expect(await exportCommand.run(args, io)).toBe(0);
    expect(io.err).toBe('');
    const db = await getDb();
    const query = parseZooQuery(params);
    const format = args[1] as 'csv' | 'json';
    const http = await new Response(await zooExportStream(db, query, { format, baseUrl: publicBaseUrl() })).text();
    expect(io.out).toBe(http);
    const { rows, data } = await listZooRows(db, query);
    const options = { baseUrl: publicBaseUrl(), deviceLabels: deviceLabelsOf(data.devices) };
    if (format === 'csv') {
      expect(io.out).toBe(zooRowsToCsv(rows, options));
      // Streamed: more than one write (the header, then batches).
      expect(io.writes).toBeGreaterThan(1);
    } else {
      expect(JSON.parse(io.out)).toEqual(zooRowsToJson(rows, options));
      expect(rows.length).toBeGreaterThan(0);
    }
  });

  it('EXPECTED FAILURE: a bad format is refused, naming it', async () => {
    await expect(exportCommand.run(['--format', 'xml'], capture())).rejects.toThrow(/--format must be json or csv, got "xml"/);
  });
});
