import { runApi } from '../../route-wrapper';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/runs/<id>: state, jobs (with progress and errors), current results (public). */
export const GET = runApi.report;

/** DELETE /api/runs/<id>: remove the run, its jobs, results and zoo model (Bearer token); 409 when others depend on the model. */
export const DELETE = runApi.remove;
