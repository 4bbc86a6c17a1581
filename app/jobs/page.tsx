import type { Metadata } from 'next';
import { listJobs } from '@/lib/jobs/list-jobs';
import { getWebPipeline } from '@/lib/jobs/web-pipeline';
import { JobsLive } from './jobs-live';
import './jobs.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Jobs' };

/** Queued, running, done and failed measurement jobs; the client part polls /api/jobs every 2 s. */
export default async function JobsPage() {
  const initial = await listJobs((await getWebPipeline()).pool);
  return (
    <div className="jobs-page">
      <h1>Jobs</h1>
      <p className="muted">
        Every registered model is measured by jobs: <b>analyse</b> (GFLOPs, parameters, size), <b>benchmark</b> (latency on a worker&apos;s device) and{' '}
        <b>evaluate</b> (accuracy), one per input size. Workers (<code>npm run worker</code>, on any host sharing the database) pick them up.
      </p>
      <JobsLive initial={initial} />
    </div>
  );
}
