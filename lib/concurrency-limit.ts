import { SlimboardError } from './errors';

/**
 * At most `max` tasks at once; the others wait in arrival order (FIFO). A task that throws frees its slot like one
 * that succeeds. Used to bound the ONNX checks of uploads (one child process each) and the requests the front proxy
 * lets into the browse lane at once (lib/http/web-lanes.ts).
 *
 * - `maxWaiting` (default unbounded): a task that would be waiter number `maxWaiting + 1` is refused at once with
 *   SlimboardError `busy` (503), before it ever runs, so a crowd costs a queue of bounded length.
 * - `run(task, { signal })`: a waiter whose signal aborts leaves the queue and rejects with the signal's reason; its
 *   task never runs. Once a task runs, the signal is the task's own business.
 */
export interface ConcurrencyLimit {
  run<T>(task: () => Promise<T>, options?: { signal?: AbortSignal }): Promise<T>;
  /** Tasks running now. */
  readonly active: number;
  /** Tasks waiting for a slot. */
  readonly waiting: number;
}

export function createConcurrencyLimit(max: number, options: { maxWaiting?: number } = {}): ConcurrencyLimit {
  if (!Number.isInteger(max) || max < 1) {
    throw new SlimboardError('bad_arguments', `concurrency limit must be a positive integer, got ${max}`);
  }
  const maxWaiting = options.maxWaiting ?? Number.POSITIVE_INFINITY;
  if (!(maxWaiting === Number.POSITIVE_INFINITY || (Number.isInteger(maxWaiting) && maxWaiting >= 0))) {
    throw new SlimboardError('bad_arguments', `a queue bound must be a non-negative integer, got ${maxWaiting}`);
  }
  let active = 0;
  const queue: Array<() => void> = [];
  // A finishing task hands its slot straight to the next waiter, so a newcomer cannot take it in between.
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else active--;
  };
  const waitForSlot = (signal: AbortSignal | undefined) =>
    // run() has already refused a signal aborted before it was called.
    new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = queue.indexOf(admit);
        if (at >= 0) queue.splice(at, 1);
        reject(signal!.reason);
      };
      const admit = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(admit);
    });
  return {
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    async run<T>(task: () => Promise<T>, runOptions: { signal?: AbortSignal } = {}): Promise<T> {
      if (runOptions.signal?.aborted) throw runOptions.signal.reason;
      if (active < max) active++;
      else if (queue.length >= maxWaiting) {
        throw new SlimboardError('busy', `${active} tasks are running and ${queue.length} are waiting, the most this queue holds`, {
          status: 503,
          details: { active, waiting: queue.length, max, maxWaiting },
        });
      } else await waitForSlot(runOptions.signal);
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
