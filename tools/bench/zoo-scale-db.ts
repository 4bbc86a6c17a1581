import path from 'node:path';
import { applyMigrations } from '../../lib/db/migrations';
import { ScratchPostgres } from '../../tests/pipeline/scratch-postgres';

/**
 * The scale database of tools/bench/zoo-scale.ts: a private embedded PostgreSQL under .slimboard/zoo-scale-pg holding
 * the database `slimboard_zoo_scale`. zoo-scale.ts seeds it (`--keep` leaves it on disk); the other scale benches
 * start it again with startKeptZooScaleDatabase.
 */
export const ZOO_SCALE_DB_NAME = 'slimboard_zoo_scale';
export const ZOO_SCALE_PG_PORT = 54493;

/** A real write that changes no value but moves the zoo version, so every cached view is computed anew. */
export const ZOO_NO_OP_WRITE_SQL = `UPDATE "Dataset" SET name = name WHERE slug = 'coco'`;

export function zooScaleServer(port = ZOO_SCALE_PG_PORT): ScratchPostgres {
  return new ScratchPostgres(path.resolve(import.meta.dirname, '..', '..', '.slimboard', 'zoo-scale-pg'), port);
}

/** The URL of the scale database on a server whose URL is `serverUrl`. */
export function zooScaleUrl(serverUrl: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${ZOO_SCALE_DB_NAME}`;
  return u.toString();
}

/**
 * Start the server a `zoo-scale.ts --keep` run left on disk, with the migrations committed since applied (an index
 * added later is then measured too); its scale database's URL and how to stop it.
 */
export async function startKeptZooScaleDatabase(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = zooScaleServer();
  await server.start();
  const url = zooScaleUrl(server.url);
  await applyMigrations(url, path.resolve(import.meta.dirname, '..', '..', 'prisma', 'migrations'));
  return { url, stop: () => server.stop() };
}
