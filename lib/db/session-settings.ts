import type pg from 'pg';

/**
 * What every connection Slimboard opens to its database starts its session with, as the libpq `options` startup
 * parameter, so it holds on an external DATABASE_URL too (a pooler in front must pass startup options through:
 * see docs/scale.md, "Session settings").
 *
 * work_mem = 32MB. The zoo's aggregates over every row (the overview's win candidates and headline, the facets,
 * the explorer's reduced views) hash one group per (model, input size): about 210,000 at 300,000 zoo rows, 14 MB.
 * At PostgreSQL's default 4MB the win candidates' hash aggregate spilled to disk in 178,901 batches and the query
 * took 99 s; with 32MB it ran in memory in 2.4 s (docs/scale.md, "Cold requests after a write"). work_mem bounds
 * each sort or hash of a query, not the session, so a query may use a few times it; with the web server's 10 and
 * the pipeline's 6 connections that stays far below this machine's memory.
 */
export const SESSION_OPTIONS = '-c work_mem=32MB';

/**
 * Background sessions (lib/db/background-client.ts) also plan no parallel workers: a parallel worker is a process of
 * its own, forked at the server's priority, so it would take a reader's core whatever the backend's niceness.
 */
export const BACKGROUND_SESSION_OPTIONS = `${SESSION_OPTIONS} -c max_parallel_workers_per_gather=0`;

/** A pg pool's (or PrismaPg's) settings for `databaseUrl`. */
export function pgPoolConfig(databaseUrl: string, o: { max: number; applicationName?: string; options?: string }): pg.PoolConfig {
  return {
    connectionString: databaseUrl,
    max: o.max,
    options: o.options ?? SESSION_OPTIONS,
    ...(o.applicationName ? { application_name: o.applicationName } : {}),
  };
}
