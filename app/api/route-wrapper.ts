import { getEnv } from '@/lib/env';
import { defineApiRoute } from '@/lib/http/api-route';
import { runRoutes } from '@/lib/http/run-routes';
import { getWebPipeline } from '@/lib/jobs/web-pipeline';

/**
 * The wrapper every route handler under app/api uses: auth ('public' | 'token'), decoded path parameters,
 * the web pipeline, and one error mapping (lib/http/error-response.ts). Handlers parse and delegate:
 *
 *   export const GET = apiRoute<{ id: string }>({ auth: 'public' }, async ({ params, pipeline }) => …);
 */
export const apiRoute = defineApiRoute(getWebPipeline);

/** The run API's handlers (lib/http/run-routes.ts) bound to the web pipeline. */
export const runApi = runRoutes(apiRoute, { uploadMaxBytes: () => getEnv().SLIMBOARD_UPLOAD_MAX_BYTES });
