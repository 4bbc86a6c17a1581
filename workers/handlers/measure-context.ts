import type { JobContext } from '@/lib/jobs/job-runner';
import type { TRunMetadata } from '@/lib/runs/run-metadata';

/** What a measuring handler gets: the job, the model file (already re-hashed) and the run's metadata. */
export interface MeasureContext {
  job: JobContext;
  modelPath: string;
  /** The user's file name, for error messages. */
  label: string;
  meta: TRunMetadata;
  device: { id: number; slug: string; threads: number };
  /** Private folder for this job's temp files, removed afterwards. */
  scratchDir: string;
  dataDir: string;
}
