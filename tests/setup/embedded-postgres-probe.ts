import { ensureEmbeddedPostgres } from '../../lib/db/embedded-postgres';

/**
 * A separate process that uses the embedded PostgreSQL: `tsx embedded-postgres-probe.ts <dataDir> <port>`.
 * Prints one JSON line when connected, then waits for a line on stdin ("release") and releases.
 * Used by lib/db/embedded-postgres.db.test.ts to check the multi-process lifecycle with real processes.
 */
const [dataDir, port] = process.argv.slice(2);
const handle = await ensureEmbeddedPostgres({ dataDir, port: Number(port) });
process.stdout.write(JSON.stringify({ event: 'ready', owned: handle.owned, initMs: handle.initMs, startMs: handle.startMs }) + '\n');
process.stdin.setEncoding('utf8');
process.stdin.once('data', async () => {
  await handle.release();
  process.stdout.write(JSON.stringify({ event: 'released' }) + '\n');
  process.exit(0);
});
