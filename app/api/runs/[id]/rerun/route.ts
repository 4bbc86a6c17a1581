import { runApi } from '../../../route-wrapper';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST /api/runs/<id>/rerun: queue the run's jobs again; results are replaced, history kept (Bearer token). */
export const POST = runApi.rerun;
