import { getEnv } from '../env';

/**
 * The origin absolute links are built on (exports, CLI output): `SLIMBOARD_PUBLIC_URL` when set, else
 * the request's own origin as the client saw it (`X-Forwarded-Proto` / `X-Forwarded-Host` from a
 * reverse proxy, else `Host`, else the URL the server received). No trailing slash.
 */
export function publicBaseUrl(request?: Pick<Request, 'url' | 'headers'>): string {
  const configured = getEnv().SLIMBOARD_PUBLIC_URL;
  if (configured) return configured;
  if (!request) return `http://localhost:${getEnv().PORT}`;
  const url = new URL(request.url);
  const first = (v: string | null) => v?.split(',')[0]?.trim() || null;
  const proto = first(request.headers.get('x-forwarded-proto')) ?? url.protocol.replace(/:$/, '');
  const host = first(request.headers.get('x-forwarded-host')) ?? request.headers.get('host') ?? url.host;
  if (!/^https?$/.test(proto) || !/^[A-Za-z0-9.\-_:[\]]+$/.test(host)) return url.origin;
  return `${proto}://${host}`;
}

/**
 * A site path (`/api/artifacts/<sha256>`) or an absolute http(s) URL -> an absolute URL under `base`
 * (a base with a path prefix, `https://host/slimboard`, keeps it).
 */
export function absoluteUrl(base: string, pathOrUrl: string): string {
  if (/^https?:\/\//i.test(pathOrUrl)) return pathOrUrl;
  return `${base.replace(/\/+$/, '')}${pathOrUrl.startsWith('/') ? '' : '/'}${pathOrUrl}`;
}

/** Absolute URL of a model's page (`/models/<slug>`). */
export function modelPageUrl(base: string, slug: string): string {
  return absoluteUrl(base, `/models/${encodeURIComponent(slug)}`);
}
