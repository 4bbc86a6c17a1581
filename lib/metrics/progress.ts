import { SlimboardError } from '../errors';

/** One progress report of a long evaluation: `done` of `total` units of the named stage. */
export interface EvaluationProgress {
  stage: 'evaluate' | 'accumulate';
  done: number;
  total: number;
}

/** Hooks every evaluator accepts. `onProgress` is called at most ~100 times per stage, always with done === total last. */
export interface EvaluationHooks {
  onProgress?: (progress: EvaluationProgress) => void;
  /** Checked at each progress step; an aborted evaluation throws `SlimboardError('evaluation_aborted')`. */
  signal?: AbortSignal;
}

/** Reports progress about every 1% of `total` (and at the end), and honours the abort signal. */
export class ProgressReporter {
  private nextReport: number;
  private readonly step: number;

  constructor(
    private readonly hooks: EvaluationHooks | undefined,
    private readonly stage: EvaluationProgress['stage'],
    private readonly total: number,
  ) {
    this.step = Math.max(1, Math.ceil(total / 100));
    this.nextReport = this.step;
  }

  /** Call with the number of units done so far; cheap when no report is due. */
  tick(done: number): void {
    if (done < this.nextReport) return;
    this.nextReport = done + this.step;
    this.emit(done);
  }

  finish(): void {
    this.emit(this.total);
  }

  private emit(done: number): void {
    if (this.hooks?.signal?.aborted) throw new SlimboardError('evaluation_aborted', `evaluation aborted during ${this.stage}`);
    this.hooks?.onProgress?.({ stage: this.stage, done: Math.min(done, this.total), total: this.total });
  }
}
