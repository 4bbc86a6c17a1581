import { getEnv } from '@/lib/env';
import { getWebPipeline } from '@/lib/jobs/web-pipeline';
import { handleRegisterRunRequest, errorResponse } from '@/lib/runs/http-register-run';
import { listRuns } from '@/lib/runs/list-runs';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST /api/runs: register a run (multipart: meta JSON field, then the .onnx file; Bearer token). */
export async function POST(request: Request) {
  try {
    return await handleRegisterRunRequest(request, await getWebPipeline(), { maxBytes: getEnv().SLIMBOARD_UPLOAD_MAX_BYTES });
  } catch (e) {
    return errorResponse(e);
  }
}

/** GET /api/runs[?model=<slug>]: the latest runs with their job counts (public). */
export async function GET(request: Request) {
  try {
    const p = await getWebPipeline();
    const model = new URL(request.url).searchParams.get('model');
    return Response.json({ runs: await listRuns(p.pool, 200, model ? model.slice(0, 200) : undefined) });
  } catch (e) {
    return errorResponse(e);
  }
}
