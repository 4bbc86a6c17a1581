/**
 * Child-process entry of a measurement: `node --import tsx measure-child-entry.ts`, started by
 * ./fork-measurement.ts with an IPC channel. It waits for ONE request (ZMeasureRequest), runs it with
 * `runMeasurement` and answers with typed messages (ZMeasureMessage): progress while it runs, then a
 * result or an error, and exits. It ignores the terminal's SIGINT (its parent stops it) and exits when
 * the channel closes, however the parent ended.
 */
import { isSlimboardError } from '../errors';
import type { TMeasureMessage } from './measure-request';
import { runMeasurement } from './run-measurement';

function send(message: TMeasureMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

process.on('SIGINT', () => {});
process.once('disconnect', () => process.exit(129));
// The parent may have died while this module was still loading (the 'disconnect' event came before the listener).
if (!process.send || !process.connected) process.exit(129);

process.once('message', (request: unknown) => {
  let last = -1;
  const onProgress = (fraction: number) => {
    const f = Math.min(1, Math.max(0, fraction));
    // At most ~100 messages: only a rise of at least 1 % (or the end) is sent.
    if (f - last >= 0.01 || (f === 1 && last < 1)) {
      last = f;
      void send({ type: 'progress', fraction: f });
    }
  };
  runMeasurement(request as never, { onProgress })
    .then((result) => send({ type: 'result', result }))
    .catch((e: unknown) =>
      send(
        isSlimboardError(e)
          ? { type: 'error', refused: true, code: e.code, message: e.message }
          : { type: 'error', refused: false, code: 'crashed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) },
      ),
    )
    .finally(() => process.disconnect?.());
});
