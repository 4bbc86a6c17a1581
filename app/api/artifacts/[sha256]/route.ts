import { handleArtifactDownload } from '@/lib/artifacts/http-download';
import { getWebPipeline } from '@/lib/jobs/web-pipeline';
import { errorResponse } from '@/lib/runs/http-register-run';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET /api/artifacts/<sha256>: the stored model (Content-Length, Content-Disposition, ETag, Range). */
export async function GET(request: Request, ctx: { params: Promise<{ sha256: string }> }) {
  try {
    const { sha256 } = await ctx.params;
    const p = await getWebPipeline();
    return await handleArtifactDownload(request, sha256, p.pool, p.store);
  } catch (e) {
    return errorResponse(e);
  }
}

export const HEAD = GET;
