import type { TZooVersioned } from '@/lib/zoo/zoo-cache';

/**
 * Where a view's numbers come from in time (lib/zoo/zoo-cache.ts cachedOrLastByZooVersion): the zoo version and when
 * they were computed, and, while a newer version is still being computed after a write, that they are the last ones.
 */
export function ZooVersionNote({ data }: { data: Pick<TZooVersioned<unknown>, 'version' | 'computedAt' | 'stale'> }) {
  const at = `${data.computedAt.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  if (!data.stale) {
    return (
      <p className="sb-muted" data-testid="zoo-version" data-version={data.version}>
        Zoo version {data.version}, computed {at}.
      </p>
    );
  }
  return (
    <p className="sb-note" role="status" data-testid="zoo-version-stale" data-version={data.version}>
      These numbers are from zoo version {data.version}, computed {at}. Results have landed since; the new numbers are being computed.
      Reload in a few seconds to see them.
    </p>
  );
}
