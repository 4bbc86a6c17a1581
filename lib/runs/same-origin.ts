import { SlimboardError } from '../errors';

/**
 * Cross-site request protection for every write: a browser always sends `Origin` (or at least
 * `Sec-Fetch-Site`) with a cross-site POST/DELETE; such a request is refused unless the origin's host
 * is the request's own Host. Non-browser clients (CLI, curl) send neither and pass to token checks.
 * Writes also need a Bearer token, which a cross-site form cannot attach.
 */
export function checkSameOrigin(req: Request): void {
  const site = req.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') {
    throw new SlimboardError('cross_site', `cross-site request refused (Sec-Fetch-Site: ${site})`, { status: 403 });
  }
  const origin = req.headers.get('origin');
  if (!origin) return;
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new SlimboardError('cross_site', `cross-site request refused (Origin "${origin.slice(0, 100)}" is not a URL)`, { status: 403 });
  }
  if (!host || originHost !== host) {
    throw new SlimboardError('cross_site', `cross-site request refused (Origin ${originHost} is not this site ${host ?? '(no Host)'})`, {
      status: 403,
    });
  }
}
