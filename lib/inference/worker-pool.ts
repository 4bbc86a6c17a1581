/**
 * A small pool of detection workers (worker_threads). Requests go to the worker with the fewest
 * requests in flight; responses are matched by id. Errors thrown in a worker come back as
 * SlimboardError when they were one (bad image...), else as internal errors.
 */
import { Worker } from 'node:worker_threads';
import { SlimboardError } from '../errors';
import type { WorkerRequest, WorkerResponse } from './detection-worker';
import type { TModelAdapter } from './model-adapter';

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class DetectionWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly inFlight: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** Sum of the time workers spent on requests (ms), for pipeline statistics. */
  busyMs = 0;

  constructor(size: number, adapter: TModelAdapter) {
    if (!Number.isInteger(size) || size < 1) throw new SlimboardError('bad_workers', `worker count must be a positive integer, got ${size}`);
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./detection-worker-entry.mjs', import.meta.url), { workerData: { adapter } });
      w.on('message', (m: WorkerResponse) => this.onMessage(i, m));
      w.on('error', (e) => this.failAll(e));
      w.on('exit', (code) => {
        if (!this.closed) this.failAll(new Error(`detection worker ${i} exited with code ${code}`));
      });
      this.workers.push(w);
      this.inFlight.push(0);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  private onMessage(i: number, m: WorkerResponse): void {
    this.inFlight[i]--;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) {
      this.busyMs += m.busyMs;
      p.resolve(m.result);
    } else p.reject(m.error.slimboard ? new SlimboardError(m.error.code, m.error.message) : new Error(m.error.message));
  }

  private failAll(e: unknown): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  request<T>(req: DistributiveOmit<WorkerRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    let best = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.inFlight[i] < this.inFlight[best]) best = i;
    const id = this.nextId++;
    this.inFlight[best]++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.workers[best].postMessage({ ...req, id }, transfer);
    });
  }

  /** Send a new adapter to every worker (after auto-detected YOLO strides are resolved). */
  async setAdapter(adapter: TModelAdapter): Promise<void> {
    await Promise.all(
      this.workers.map((w, i) => {
        const id = this.nextId++;
        this.inFlight[i]++;
        return new Promise((resolve, reject) => {
          this.pending.set(id, { resolve, reject });
          w.postMessage({ id, type: 'set-adapter', adapter });
        });
      }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
