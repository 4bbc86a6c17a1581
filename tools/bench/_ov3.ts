import pg from 'pg';
import { Prisma } from '../../lib/generated/prisma/client';
import { winCandidatesSql } from '../../lib/zoo/overview-data';
import { startKeptZooScaleDatabase } from './zoo-scale-db';
const kept = await startKeptZooScaleDatabase();
const pool = new pg.Pool({ connectionString: kept.url });
const client = await pool.connect();
await client.query(process.env.WM ? `SET work_mem = '${process.env.WM}'` : 'SELECT 1');
console.log((await client.query('SHOW work_mem')).rows[0]);
let n = 0;
const q = winCandidatesSql(['coco', 'voc', 'widerface'], ['box_ap', 'voc_map', 'wider_easy'], 'gflops', null) as Prisma.Sql;
// Prisma.Sql -> $n placeholders
const r = await client.query('EXPLAIN (ANALYZE, TIMING ON) ' + q.sql.replace(/\?/g, () => '$' + (++n)), q.values as unknown[]);

console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
client.release(); await pool.end(); await kept.stop();
