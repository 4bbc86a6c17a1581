/**
 * Malformed percent-encoding in a URL path (`/models/%ff`: 0xFF is not UTF-8, `/api/runs/%zz`: not hex).
 * `pathname` is the raw, still-encoded path (URL.pathname keeps the encoding as sent).
 * Returns the first segment that cannot be decoded, or null when every segment decodes.
 */
export function malformedPathSegment(pathname: string): string | null {
  for (const segment of pathname.split('/')) {
    if (!segment.includes('%')) continue;
    try {
      decodeURIComponent(segment);
    } catch {
      return segment;
    }
  }
  return null;
}

/** The one-line message for such a path (400). */
export function malformedPathMessage(segment: string): string {
  return `the URL path segment "${segment.slice(0, 80)}" has a malformed percent-encoding; encode names with encodeURIComponent (UTF-8)`;
}
