import { getWebPipeline } from '@/lib/jobs/web-pipeline';
import { errorResponse } from '@/lib/runs/http-register-run';
import { rerunRequest } from '@/lib/runs/run-writes';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST /api/runs/<id>/rerun: queue the run's jobs again; results are replaced, history kept (Bearer token). */
export async function POST(request: Request, ctx: { params: Promise<{ id: string }> }) {
  try {
    const { id } = await ctx.params;
    return await rerunRequest(request, await getWebPipeline(), id);
  } catch (e) {
    return errorResponse(e);
  }
}
