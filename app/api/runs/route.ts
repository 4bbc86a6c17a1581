import { runApi } from '../route-wrapper';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST /api/runs: register a run (multipart: meta JSON field, then the .onnx file; Bearer token). */
export const POST = runApi.register;

/** GET /api/runs[?model=<slug>]: the latest runs with their job counts (public). */
export const GET = runApi.list;
