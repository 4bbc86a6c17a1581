import { getDatabaseUrl, getDb } from '../db/client';
import { openPipeline, type Pipeline } from './pipeline';

/**
 * The web server's pipeline (one per process, kept on globalThis so dev-mode reloads reuse it).
 * It only registers runs and reads state; workers run the engine's maintenance.
 */
const g = globalThis as unknown as { __slimboardPipeline?: Promise<Pipeline> };

export function getWebPipeline(): Promise<Pipeline> {
  g.__slimboardPipeline ??= (async () => {
    await getDb(); // migrations applied
    return openPipeline({ databaseUrl: await getDatabaseUrl(), supervise: false, poolSize: 6 });
  })().catch((e) => {
    g.__slimboardPipeline = undefined;
    throw e;
  });
  return g.__slimboardPipeline;
}
