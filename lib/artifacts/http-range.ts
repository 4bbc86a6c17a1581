import type { ByteRange } from './store';

/**
 * Parse an HTTP `Range` header against a resource of `sizeBytes` (RFC 9110 §14.1.2), single range only.
 * Returns the inclusive range, 'unsatisfiable' (-> 416), or null (no/ignored header -> full 200).
 * Multi-range requests are answered with the full content (allowed by the RFC).
 */
export function parseRangeHeader(header: string | null | undefined, sizeBytes: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  if (a === '') {
    // Suffix range: the last N bytes.
    const n = Number(b);
    if (n === 0 || sizeBytes === 0) return 'unsatisfiable';
    return { start: Math.max(0, sizeBytes - n), end: sizeBytes - 1 };
  }
  const start = Number(a);
  if (start >= sizeBytes) return 'unsatisfiable';
  const end = b === '' ? sizeBytes - 1 : Math.min(Number(b), sizeBytes - 1);
  if (end < start) return null;
  return { start, end };
}
