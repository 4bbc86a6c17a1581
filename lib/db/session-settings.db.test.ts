import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPipelineFixture, type PipelineFixture } from '@/tests/pipeline/pipeline-fixture';
import { getDb } from './client';
import { pgPoolConfig } from './session-settings';

/** Both of Slimboard's connection kinds start with its session settings; a bare pool does not. */

let f: PipelineFixture | undefined;
afterAll(async () => {
  await f?.close();
});

const workMem = async (q: (sql: string) => Promise<Array<{ work_mem: string }>>) => (await q('SHOW work_mem'))[0].work_mem;

describe('session settings', () => {
  it('the Prisma client (zoo reads) and the pipeline pool (jobs, uploads) run with work_mem 32MB', async () => {
    const db = await getDb();
    expect(await workMem((sql) => db.$queryRawUnsafe(sql))).toBe('32MB');
    f = await createPipelineFixture('sessionsettings');
    expect(await workMem((sql) => f!.query(sql))).toBe('32MB');
  });

  it('the value comes from our connection (source "client"), not from the server: a bare pool does not have it', async () => {
    const sourceSql = `SELECT source FROM pg_settings WHERE name = 'work_mem'`;
    const bare = new pg.Pool({ connectionString: f!.url, max: 1 });
    try {
      expect((await bare.query(sourceSql)).rows[0].source).not.toBe('client');
    } finally {
      await bare.end();
    }
    const ours = new pg.Pool(pgPoolConfig(f!.url, { max: 1, applicationName: 'settings-test' }));
    try {
      expect((await ours.query(`SELECT current_setting('work_mem') AS w, current_setting('application_name') AS a`)).rows[0]).toEqual({
        w: '32MB',
        a: 'settings-test',
      });
      expect((await ours.query(sourceSql)).rows[0].source).toBe('client');
    } finally {
      await ours.end();
    }
  });
});
