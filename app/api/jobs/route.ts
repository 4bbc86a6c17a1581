import { runApi } from '../route-wrapper';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * GET /api/jobs[?run=<run id>]: queued, running, done and failed jobs with progress and errors, each with its
 * run and the run's model slug (the jobs page polls it). Bad parameters: 400.
 */
export const GET = runApi.jobs;
