import pg from 'pg';
import type PgBoss from 'pg-boss';
import { getArtifactStore } from '../artifacts/default-store';
import type { ArtifactStore } from '../artifacts/store';
import { engineSettingsFromEnv, startJobEngine, type EngineSettings } from './job-engine';
import { pgPoolConfig } from '../db/session-settings';

/**
 * Everything the measurement pipeline needs in one process: a pg pool on Slimboard's database, the
 * job engine on that pool, its settings and the artifact store. The web server, the CLI and every
 * worker open one (lazily, once).
 */
export interface Pipeline {
  pool: pg.Pool;
  boss: PgBoss;
  settings: EngineSettings;
  store: ArtifactStore;
  close(): Promise<void>;
}

export interface OpenPipelineOptions {
  databaseUrl: string;
  /** Run pg-boss maintenance (lease expiry, archiving) in this process. Workers do; the web app need not. */
  supervise: boolean;
  settings?: EngineSettings;
  store?: ArtifactStore;
  poolSize?: number;
}

export async function openPipeline(o: OpenPipelineOptions): Promise<Pipeline> {
  const pool = new pg.Pool(pgPoolConfig(o.databaseUrl, { max: o.poolSize ?? 6, applicationName: 'slimboard-pipeline' }));
  // Idle clients see the server go away (restart); the pool drops them and reconnects on next use.
  pool.on('error', (e) => process.stderr.write(`pipeline db: ${e.message.split('\n')[0]}\n`));
  const settings = o.settings ?? engineSettingsFromEnv();
  const boss = await startJobEngine(pool, settings, { supervise: o.supervise });
  return {
    pool,
    boss,
    settings,
    store: o.store ?? getArtifactStore(),
    async close() {
      await boss.stop({ graceful: false, close: false, wait: true }).catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}
