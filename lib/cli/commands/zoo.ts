import { SlimboardError } from '../../errors';
import { parseCliArgs } from '../args';
import type { CliCommand } from '../command';

/**
 * `zoo export --format json|csv [filters]`: every zoo row with values, deltas (printed or computed, docs/deltas.md) and
 * provenance, streamed: the same bytes as `GET /api/zoo?format=json|csv` with the same filters.
 */
const exportCommand: CliCommand = {
  words: ['zoo', 'export'],
  summary: 'print the zoo (all rows, deltas with their origin, provenance) as JSON or CSV',
  usage:
    'npm run -s slimboard -- zoo export --format json|csv [--backbone B] [--dataset D] [--method M] [--strategy S] [--input-size N] ' +
    '[--source reported|measured]',
  async run(args, io) {
    const { values } = parseCliArgs(
      args,
      {
        format: { type: 'string' },
        json: { type: 'boolean' },
        backbone: { type: 'string' },
        dataset: { type: 'string' },
        method: { type: 'string' },
        strategy: { type: 'string' },
        'input-size': { type: 'string' },
        source: { type: 'string' },
      },
      'zoo export',
    );
    const format = values.format ?? (values.json ? 'json' : undefined);
    if (format !== 'json' && format !== 'csv') {
      throw new SlimboardError(
        'bad_arguments',
        `zoo export: --format must be json or csv, got ${format === undefined ? 'nothing' : `"${format}"`}`,
      );
    }
    const { parseZooQuery } = await import('../../zoo/query');
    const filters: Record<string, string> = {};
    for (const k of ['backbone', 'dataset', 'method', 'strategy', 'source'] as const) if (values[k] !== undefined) filters[k] = values[k]!;
    if (values['input-size'] !== undefined) filters.inputSize = values['input-size'];
    const query = parseZooQuery(filters);

    const { getDb, closeDb } = await import('../../db/client');
    const { ensureSeedImported } = await import('../../zoo/import-catalog');
    const { zooExportStream } = await import('../../zoo/export-stream');
    const { publicBaseUrl } = await import('../../http/public-base-url');
    try {
      const db = await getDb();
      await ensureSeedImported(db);
      // The same stream as GET /api/zoo?format=…: rows built a batch at a time as stdout takes them, so memory does
      // not grow with the zoo; the bytes are the HTTP export's (compact JSON). Links on SLIMBOARD_PUBLIC_URL, else
      // http://localhost:<PORT> (docs/exports.md).
      const stream = await zooExportStream(db, query, { format, baseUrl: publicBaseUrl() });
      const decoder = new TextDecoder();
      for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) io.stdout(decoder.decode(chunk, { stream: true }));
      io.stdout(decoder.decode());
      return 0;
    } finally {
      await closeDb();
    }
  },
};

export default [exportCommand];
