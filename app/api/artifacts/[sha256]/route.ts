import { runApi } from '../../route-wrapper';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** GET and HEAD /api/artifacts/<sha256>: the stored model (Content-Length, Content-Disposition, ETag, Range). */
export const GET = runApi.download;
export const HEAD = runApi.download;
