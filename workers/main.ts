/**
 * A Slimboard worker process: `npm run worker` (any number, on any host sharing the database).
 *
 * Registers its device, then claims analyse / evaluate / benchmark jobs (and benchmarks targeted at
 * its own device) and compress jobs one at a time. SIGTERM or SIGINT: claim nothing more, let the running job finish
 * for up to SLIMBOARD_WORKER_GRACE_SECONDS (default 20), else abort it and release it to the queue, then
 * exit 0. SIGKILL: the job's lease runs out and another worker takes it (see lib/jobs/job-engine.ts).
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { getDatabaseUrl, getDb, manageShutdownYourself, closeDb } from '@/lib/db/client';
import { getEnv } from '@/lib/env';
import { ensureQueue } from '@/lib/jobs/job-engine';
import { queueName } from '@/lib/jobs/job-definitions';
import { JobRunner } from '@/lib/jobs/job-runner';
import { openPipeline } from '@/lib/jobs/pipeline';
import { describeDevice, registerDevice } from './device-registration';
import { createJobHandlers } from './job-handlers';

export interface WorkerHandle {
  workerId: string;
  deviceSlug: string;
  stop(graceMs?: number): Promise<void>;
}

export async function startWorker(options: { log?: (line: string) => void } = {}): Promise<WorkerHandle> {
  const log = options.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const env = getEnv();
  await getDb(); // applies pending migrations once
  const databaseUrl = await getDatabaseUrl();
  const pipeline = await openPipeline({ databaseUrl, supervise: true });
  const profile = describeDevice(env.SLIMBOARD_WORKER_THREADS);
  const deviceId = await registerDevice(pipeline.pool, profile);
  const workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 4)}`;
  const queues = [
    queueName('analyse'),
    queueName('evaluate'),
    queueName('benchmark'),
    queueName('benchmark', profile.id),
    queueName('compress'),
  ];
  for (const q of queues) await ensureQueue(pipeline.boss, q, pipeline.settings);
  const runner = new JobRunner({
    pool: pipeline.pool,
    boss: pipeline.boss,
    settings: pipeline.settings,
    queues,
    workerId,
    deviceId,
    handlers: createJobHandlers(pipeline, { id: deviceId, slug: profile.id, threads: profile.threads }),
    log,
  });
  runner.start();
  log(`worker ${workerId} ready on device ${profile.id} (${profile.cpuModel}, ${profile.threads} thread(s)); queues: ${queues.join(', ')}`);
  let stopped: Promise<void> | undefined;
  return {
    workerId,
    deviceSlug: profile.id,
    stop(graceMs = env.SLIMBOARD_WORKER_GRACE_SECONDS * 1000) {
      stopped ??= (async () => {
        await runner.stop(graceMs);
        await pipeline.close();
      })();
      return stopped;
    },
  };
}

const isEntry = process.argv[1] !== undefined && /workers[\\/]main\.ts$/.test(process.argv[1]);
if (isEntry) {
  manageShutdownYourself();
  startWorker().then(
    (worker) => {
      let signalled = false;
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.on(signal, () => {
          if (signalled) return;
          signalled = true;
          process.stderr.write(`worker ${worker.workerId}: ${signal}, finishing or releasing the current job\n`);
          void worker
            .stop()
            .then(() => closeDb())
            .finally(() => process.exit(0));
        });
      }
    },
    (e) => {
      process.stderr.write(`worker failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
