import { getWebPipeline } from '@/lib/jobs/web-pipeline';
import { listJobs, parseJobsQuery } from '@/lib/jobs/list-jobs';
import { errorResponse } from '@/lib/runs/http-register-run';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * GET /api/jobs[?run=<run id>]: queued, running, done and failed jobs with progress and errors, each with its
 * run and the run's model slug (the jobs page polls it). Bad parameters: 400.
 */
export async function GET(request: Request) {
  try {
    const query = parseJobsQuery(new URL(request.url).searchParams);
    return Response.json(await listJobs((await getWebPipeline()).pool, { runId: query.run }));
  } catch (e) {
    return errorResponse(e);
  }
}
