/**
 * Progress of long runs (evaluation, batch detection): events for workers and the UI, and a
 * terminal bar for the CLI (stderr, only when it is a TTY, so piped/--json output stays clean).
 */
import { EventEmitter } from 'node:events';

export interface ProgressEvent {
  /** What is progressing, e.g. 'detect'. */
  phase: string;
  done: number;
  total: number;
  elapsedMs: number;
  /** Items per second so far (0 before the first item). */
  ratePerS: number;
  /** Estimated seconds left (null before the first item). */
  etaS: number | null;
}

export interface ProgressEvents {
  progress: [ProgressEvent];
  done: [ProgressEvent];
}

/** Emits 'progress' after each item and 'done' at the end; listeners never affect the run. */
export class ProgressReporter extends EventEmitter<ProgressEvents> {
  private readonly startMs = performance.now();
  private done = 0;
  constructor(
    readonly phase: string,
    readonly total: number,
  ) {
    super();
  }
  private event(): ProgressEvent {
    const elapsedMs = performance.now() - this.startMs;
    const ratePerS = this.done > 0 && elapsedMs > 0 ? (this.done * 1000) / elapsedMs : 0;
    return {
      phase: this.phase,
      done: this.done,
      total: this.total,
      elapsedMs,
      ratePerS,
      etaS: ratePerS > 0 ? (this.total - this.done) / ratePerS : null,
    };
  }
  tick(n = 1): void {
    this.done += n;
    this.emit('progress', this.event());
  }
  finish(): void {
    this.emit('done', this.event());
  }
}

/** One line of a progress bar, e.g. `detect [#########-----------]  45/100  12.3/s  ETA 4s` (pure). */
export function renderProgressBar(e: Pick<ProgressEvent, 'phase' | 'done' | 'total' | 'ratePerS' | 'etaS'>, barWidth = 30): string {
  const frac = e.total > 0 ? Math.min(1, Math.max(0, e.done / e.total)) : 1;
  const filled = Math.round(frac * barWidth);
  const bar = '#'.repeat(filled) + '-'.repeat(barWidth - filled);
  const width = String(e.total).length;
  const eta = e.etaS === null ? '' : `  ETA ${formatSeconds(e.etaS)}`;
  return `${e.phase} [${bar}] ${String(e.done).padStart(width)}/${e.total}  ${e.ratePerS.toFixed(1)}/s${eta}`;
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Draw a reporter's progress on `stream` (default stderr) when it is a TTY; redraws at most every
 * `minIntervalMs`, and ends the line on 'done'. Returns a function that detaches it.
 */
export function attachTerminalProgressBar(
  reporter: ProgressReporter,
  stream: NodeJS.WriteStream = process.stderr,
  minIntervalMs = 100,
): () => void {
  if (!stream.isTTY) return () => {};
  let last = -Infinity;
  const draw = (e: ProgressEvent, force: boolean) => {
    const now = performance.now();
    if (!force && now - last < minIntervalMs) return;
    last = now;
    const cols = stream.columns ?? 80;
    stream.write(`\r${renderProgressBar(e, Math.max(10, Math.min(40, cols - 40)))}\x1b[K`);
  };
  const onProgress = (e: ProgressEvent) => draw(e, e.done === e.total);
  const onDone = (e: ProgressEvent) => {
    draw(e, true);
    stream.write('\n');
  };
  reporter.on('progress', onProgress);
  reporter.on('done', onDone);
  return () => {
    reporter.off('progress', onProgress);
    reporter.off('done', onDone);
  };
}
