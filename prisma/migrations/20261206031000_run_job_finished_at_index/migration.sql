-- The jobs list (lib/jobs/list-jobs.ts) walks finished jobs newest first on this index instead of sorting every job.
CREATE INDEX "RunJob_finishedAt_idx" ON "RunJob"("finishedAt");
