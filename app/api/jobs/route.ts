import { runApi } from '../route-wrapper';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/jobs: queued, running, done and failed jobs with progress and errors (the jobs page polls it). */
export const GET = runApi.jobs;
