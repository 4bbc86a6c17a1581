import { z } from 'zod';
import { ZCompressRequest } from '../compression/compress-request';
import { SlimboardError, formatZodIssues } from '../errors';

/**
 * Job definitions: id (the pg-boss queue), version, zod payload. Handlers live in workers/ and are
 * loaded lazily; payloads from the queue are treated as unknown and validated first.
 *
 * Kinds (what a run is measured with):
 * - analyse:   GFLOPs (paddleslim convention), params and bytes at one input size; also the gate that
 *              checks the model can take that size.
 * - benchmark: latency at one input size on one device (any worker's, or a targeted device).
 * - evaluate:  accuracy on the run's dataset at one input size.
 * And one kind that makes a new run from a run (workers/handlers/compress.ts):
 * - compress:  quantize or prune the run's model (payload.compress, lib/compression/compress-request.ts) and
 *              register the result as a new run through lib/runs/register-run.ts; `runId` is the SOURCE run,
 *              `inputSize` the size the compression works at. Its failure never fails the source run.
 */
export const JOB_KINDS = ['analyse', 'benchmark', 'evaluate', 'compress'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const ZJobPayload = z
  .object({
    /** Payload schema version; bump with incompatible changes (old jobs then fail with a clear reason). */
    v: z.literal(1),
    runId: z.string().uuid(),
    /** Square input size in pixels. */
    inputSize: z.number().int().min(32).max(4096),
    /** Evaluate only: dataset key. */
    dataset: z.string().min(1).max(120).optional(),
    /** Benchmark only: the device the job was targeted at (null: any device). */
    targetDeviceId: z.string().min(1).max(64).nullable().optional(),
    /** Compress only: the request as validated by its door, the door and the token that started it. */
    compress: z
      .object({
        request: ZCompressRequest,
        door: z.enum(['web', 'api', 'cli']),
        tokenId: z.string().uuid().nullable(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type TJobPayload = z.infer<typeof ZJobPayload>;

/**
 * pg-boss queue of a job: the kind, or for a benchmark targeted at a device `benchmark-<deviceId>`
 * (each worker listens to the untargeted queue and to its own device's queue).
 */
export function queueName(kind: JobKind, targetDeviceId?: string | null): string {
  if (kind === 'benchmark' && targetDeviceId) return `benchmark-${targetDeviceId}`;
  return kind;
}

export function parseJobPayload(data: unknown, jobId: string): TJobPayload {
  const parsed = ZJobPayload.safeParse(data);
  if (!parsed.success) {
    throw new SlimboardError('bad_job_payload', `job ${jobId}: payload does not match version 1: ${formatZodIssues(parsed.error.issues)}`);
  }
  return parsed.data;
}
