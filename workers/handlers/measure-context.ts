import type pg from 'pg';
import type { ArtifactStore } from '@/lib/artifacts/store';
import type { JobContext } from '@/lib/jobs/job-runner';
import type { TRunMetadata } from '@/lib/runs/run-metadata';

/** What a measuring handler gets: the job, the model file (already re-hashed) and the run's metadata. */
export interface MeasureContext {
  job: JobContext;
  modelPath: string;
  /** The user's file name, for error messages. */
  label: string;
  meta: TRunMetadata;
  /** The metadata's adapter was inherited from this earlier run of the same bytes (RegisteredRun.adapterFromRunId). */
  adapterFromRunId: string | null;
  device: { id: number; slug: string; threads: number };
  /**
   * Benchmark jobs: the declared baseline's stored ONNX file (re-hashed), for the paired benchmark; null with
   * the reason when there is none (a baseline itself, a baseline without a stored ONNX artifact, a changed file).
   */
  baseline: { modelPath: string; slug: string } | { modelPath: null; reason: string };
  /** Private folder for this job's temp files, removed afterwards. */
  scratchDir: string;
  dataDir: string;
  /** Where registered datasets come from (the worker's database and artifact store). */
  datasets: { pool: Pick<pg.Pool, 'query'>; store: ArtifactStore };
}

/** Map a measurement's progress (0..1) onto the job's progress between `from` and `to`. */
export function progressBetween(c: MeasureContext, from: number, to: number): (fraction: number) => void {
  return (f) => void c.job.reportProgress(from + (to - from) * Math.min(1, f));
}
