import { runApi } from '../../../route-wrapper';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST /api/runs/<id>/compress: quantize or prune the run's model into a new run (Bearer token; 202 with the job). */
export const POST = runApi.compress;

/** GET /api/runs/<id>/compress: the run's compress jobs with their progress and the runs they registered (public). */
export const GET = runApi.compressJobs;
