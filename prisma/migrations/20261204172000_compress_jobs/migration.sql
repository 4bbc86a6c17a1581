-- Compression jobs (quantize / prune a run's model into a new run): a fourth job kind.
ALTER TYPE "JobKind" ADD VALUE 'compress';
