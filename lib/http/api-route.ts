import { isCancelledQuery } from '../db/query-cancellation';
import { bearerToken, verifyApiToken, type TokenIdentity } from '../auth/api-tokens';
import type { Pipeline } from '../jobs/pipeline';
import { checkSameOrigin } from '../runs/same-origin';
import { errorResponse } from './error-response';

/**
 * The one wrapper every API route goes through (in the spirit of dub's `withWorkspace`): it resolves
 * the route's path parameters, authorizes writes, hands the handler what it needs and maps every
 * error to a response with lib/http/error-response.ts. Handlers only parse and delegate.
 *
 *   auth 'public'  reads: no token.
 *   auth 'token'   writes: same-origin check, then `Authorization: Bearer sb_…` (401/403 before the handler runs).
 *
 * Plain Web Request/Response, no Next.js: the app binds it to its pipeline in app/api/routes.ts and the
 * db tests bind it to theirs.
 */

export type ApiAuth = 'public' | 'token';
export type RouteParams = Record<string, string>;

export interface ApiRouteContext<P extends RouteParams, A extends ApiAuth> {
  request: Request;
  /** Path parameters, percent-decoded by Next.js (a malformed encoding is a 400 in proxy.ts before any route runs). */
  params: P;
  /** The pipeline (database pool, job queue, artifact store), opened on first use. */
  pipeline: () => Promise<Pipeline>;
  token: A extends 'token' ? TokenIdentity : null;
}

/** What Next.js passes as the second argument of a route handler. */
export interface NextRouteContext<P extends RouteParams> {
  params: Promise<P>;
}

export type RouteHandler<P extends RouteParams> = (request: Request, ctx: NextRouteContext<P>) => Promise<Response>;

export type ApiRouteFactory = ReturnType<typeof defineApiRoute>;

export function defineApiRoute(getPipeline: () => Promise<Pipeline>) {
  return function apiRoute<P extends RouteParams = Record<string, never>, A extends ApiAuth = ApiAuth>(
    options: { auth: A },
    handler: (c: ApiRouteContext<P, A>) => Promise<Response>,
  ): RouteHandler<P> {
    return async (request, ctx) => {
      try {
        const params = ((await ctx?.params) ?? {}) as P;
        let token: TokenIdentity | null = null;
        if (options.auth === 'token') {
          checkSameOrigin(request);
          const bearer = bearerToken(request.headers.get('authorization'));
          token = await verifyApiToken((await getPipeline()).pool, bearer);
        }
        return await handler({ request, params, pipeline: getPipeline, token: token as ApiRouteContext<P, A>['token'] });
      } catch (e) {
        // The client went away and its queries were cancelled (lib/db/query-cancellation.ts): no one reads an answer,
        // and nothing failed that the log should report. 499 is nginx's "client closed request".
        if (request.signal?.aborted && (e === request.signal.reason || isCancelledQuery(e))) return new Response(null, { status: 499 });
        return errorResponse(e);
      }
    };
  };
}
