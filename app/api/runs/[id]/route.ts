import { getWebPipeline } from '@/lib/jobs/web-pipeline';
import { errorResponse } from '@/lib/runs/http-register-run';
import { deleteRunRequest } from '@/lib/runs/run-writes';
import { getRunReport } from '@/lib/runs/run-report';
import { SlimboardError } from '@/lib/errors';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/runs/<id>: state, jobs (with progress and errors), current results (public). */
export async function GET(_request: Request, ctx: { params: Promise<{ id: string }> }) {
  try {
    const { id } = await ctx.params;
    const report = await getRunReport((await getWebPipeline()).pool, id);
    if (!report) throw new SlimboardError('not_found', `no run with id "${id.slice(0, 80)}"`, { status: 404 });
    return Response.json({ run: report });
  } catch (e) {
    return errorResponse(e);
  }
}

/** DELETE /api/runs/<id>: remove the run, its jobs, results and zoo model (Bearer token). */
export async function DELETE(request: Request, ctx: { params: Promise<{ id: string }> }) {
  try {
    const { id } = await ctx.params;
    return await deleteRunRequest(request, await getWebPipeline(), id);
  } catch (e) {
    return errorResponse(e);
  }
}
