import { getEnv } from '../env';
import { SlimboardError } from '../errors';

/**
 * At most SLIMBOARD_EXPORT_CONCURRENCY (default 2, one per core here) streamed zoo exports (GET /api/zoo?format=…)
 * run at once in one web process (issue #15: memory stays bounded whoever asks). Each holds about 40 MiB live while
 * it streams (docs/scale.md, "Export memory in the server"), so a crowd of anonymous exporters could otherwise fill
 * the export lane's heap. One more gets 503 `exports_busy` with `Retry-After` at once; nothing queues, so a refused
 * client costs nothing. The CLI's `zoo export` runs in its own process and takes no slot.
 */

/** Seconds in `Retry-After` when every slot is taken (a full export at 300,000 rows takes about 45 s). */
export const EXPORTS_BUSY_RETRY_AFTER_S = 15;

export type ExportSlots = {
  /** Take a slot, or throw 503 `exports_busy`. The returned release may be called any number of times; it frees once. */
  take(): () => void;
  /** Slots taken and not released. */
  readonly active: number;
  readonly limit: number;
};

export function createExportSlots(limit: number): ExportSlots {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`export slot limit must be a positive integer, got ${limit}`);
  let active = 0;
  return {
    take() {
      if (active >= limit)
        throw new SlimboardError(
          'exports_busy',
          `${active} exports are already running on this server (the most it runs at once is ${limit}); ` +
            `try again in ${EXPORTS_BUSY_RETRY_AFTER_S} s, or narrow the export with filters (dataset=, method=, q=)`,
          { status: 503, details: { retryAfterSeconds: EXPORTS_BUSY_RETRY_AFTER_S, limit } },
        );
      active++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        active--;
      };
    },
    get active() {
      return active;
    },
    limit,
  };
}

let slots: ExportSlots | undefined;

/** This process's slots (in `npm start`, the export lane's: lib/http/web-lanes.ts). */
export function exportSlots(): ExportSlots {
  slots ??= createExportSlots(getEnv().SLIMBOARD_EXPORT_CONCURRENCY);
  return slots;
}
