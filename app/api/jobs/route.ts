import { getWebPipeline } from '@/lib/jobs/web-pipeline';
import { listJobs } from '@/lib/jobs/list-jobs';
import { errorResponse } from '@/lib/runs/http-register-run';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/jobs: queued, running, done and failed jobs with progress and errors (the jobs page polls it). */
export async function GET() {
  try {
    return Response.json(await listJobs((await getWebPipeline()).pool));
  } catch (e) {
    return errorResponse(e);
  }
}
