import type { Metadata } from 'next';
import Link from 'next/link';
import { isSlimboardError } from '@/lib/errors';
import { listJobs, parseJobsQuery, type TJobsQuery } from '@/lib/jobs/list-jobs';
import { getWebPipeline } from '@/lib/jobs/web-pipeline';
import { JobsLive } from './jobs-live';
import { BadLink } from '../bad-link';
import './jobs.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Jobs' };

/** Queued, running, done and failed measurement jobs (`?run=<id>`: one run's); the client part polls /api/jobs every 2 s. */
export default async function JobsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  let query: TJobsQuery;
  try {
    query = parseJobsQuery(await searchParams);
  } catch (e) {
    if (!isSlimboardError(e)) throw e;
    return <BadLink title="Bad jobs link" message={e.message} href="/jobs" linkText="Show every job" />;
  }
  const initial = await listJobs((await getWebPipeline()).pool, { runId: query.run });
  const runName = query.run ? (initial.jobs[0]?.runName ?? null) : null;
  return (
    <div className="jobs-page">
      <h1>Jobs</h1>
      <p className="muted">
        Every registered model is measured by jobs: <b>analyse</b> (GFLOPs, parameters, size), <b>benchmark</b> (latency on a worker&apos;s
        device) and <b>evaluate</b> (accuracy), one per input size. Workers (<code>npm run worker</code>, on any host sharing the database)
        pick them up.
      </p>
      {query.run && (
        <p data-testid="jobs-run-filter">
          Jobs of run {runName ? <b>{runName}</b> : <code>{query.run}</code>}
          {initial.jobs[0]?.modelSlug && (
            <>
              {' '}
              (model <Link href={`/models/${initial.jobs[0].modelSlug}`}>{initial.jobs[0].modelSlug}</Link>)
            </>
          )}{' '}
          · <Link href="/jobs">show every job</Link>
        </p>
      )}
      <JobsLive initial={initial} runId={query.run ?? null} />
    </div>
  );
}
