import { fork } from 'node:child_process';
import path from 'node:path';
import { SlimboardError } from '../errors';
import { ZMeasureMessage, type TMeasureRequestInput } from './measure-request';

/**
 * Run one measurement (./run-measurement.ts) in a child process and return its result. The worker measures
 * this way: onnxruntime's memory and threads stay out of the worker, and a shutdown or a lost lease stops a
 * measurement at once. Messages are typed (./measure-request.ts), not parsed from a CLI's stdout.
 *
 * - The child runs in a process group of its own (`detached`), so a terminal's Ctrl-C reaches only the
 *   worker, which then releases or finishes the job; the child also ignores SIGINT.
 * - The child dies with the worker: it exits when the IPC channel closes, whatever killed the worker.
 * - Abort (`signal`): the child's whole group gets SIGKILL and the promise rejects with the signal's reason.
 * - A refused input (the child threw a SlimboardError) rejects with that SlimboardError (the job fails
 *   for good); a crash, a kill or a malformed message rejects with an Error (the job is retried).
 */
export function forkMeasurement(
  request: TMeasureRequestInput,
  signal: AbortSignal,
  onProgress?: (fraction: number) => void,
): Promise<Record<string, unknown>> {
  const entry = path.join(import.meta.dirname, 'measure-child-entry.ts');
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const child = fork(entry, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      detached: true,
    });
    let outcome: { ok: true; result: Record<string, unknown> } | { ok: false; error: Error } | null = null;
    let stderrTail = '';
    child.stderr?.on('data', (d: Buffer) => (stderrTail = (stderrTail + d.toString()).slice(-2000)));
    child.on('message', (raw: unknown) => {
      const parsed = ZMeasureMessage.safeParse(raw);
      if (!parsed.success) {
        outcome ??= { ok: false, error: new Error(`${request.kind}: the measurement child sent a malformed message`) };
        return;
      }
      const m = parsed.data;
      if (m.type === 'progress') onProgress?.(m.fraction);
      else if (m.type === 'result') outcome ??= { ok: true, result: m.result };
      else outcome ??= { ok: false, error: m.refused ? new SlimboardError(m.code, m.message) : new Error(`${request.kind}: ${m.message}`) };
    });
    const onAbort = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL'); // the whole group: the child and anything it started
      } catch {
        child.kill('SIGKILL');
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      signal.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) reject(signal.reason);
      else if (outcome?.ok) resolve(outcome.result);
      else if (outcome) reject(outcome.error);
      else {
        const last = stderrTail.trim().split('\n').pop() ?? '';
        const why = last ? `: ${last.slice(0, 300)}` : '';
        reject(new Error(`${request.kind}: the measurement child exited with ${code ?? sig} before answering${why}`));
      }
    });
    child.send(request);
  });
}
