/**
 * A small pool of detection workers (worker_threads). Each worker runs its requests one at a time
 * from its own queue (one decoding thread per worker, so that preprocessing fills the cores
 * onnxruntime leaves idle instead of competing with it for all of them). Requests are posted to a
 * worker as soon as they are made (to the worker with the fewest outstanding requests; ties: the
 * lowest index), NOT when a worker reports back: the main thread is blocked in session.run most of
 * the time and could not hand out the next request until the run ends, which left the workers idle
 * while the model waited for input (measured: 341 ms of 2,878 ms waiting on 24 images).
 * `perWorker` caps the outstanding requests per worker (default: no cap); beyond it requests wait
 * here, in submission order. Responses are matched by id. Errors thrown in a worker come back as
 * SlimboardError when they were one (bad image...), else as internal errors.
 */
import { Worker } from 'node:worker_threads';
import { SlimboardError } from '../../errors';
import type { RawTensor } from './detection-decoding';
import type { WorkerRequest, WorkerResponse } from './detection-worker';
import type { FitGeometry } from '../image/image-geometry';
import type { TModelAdapter } from './model-adapter';

type Pending = { resolve: (v: unknown) => void; reject: (e: unknown) => void; worker: number };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

type Queued = { id: number; req: DistributiveOmit<WorkerRequest, 'id'>; transfer: ArrayBuffer[] };

export interface DetectionWorkerPoolOptions {
  /** Requests posted to one worker and not yet answered (default: no cap). */
  perWorker?: number;
}

export class DetectionWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly inFlight: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly queue: Queued[] = [];
  private readonly perWorker: number;
  private nextId = 1;
  private closed = false;
  private failure: unknown = undefined;
  /** Sum of the time workers spent on requests (ms), for pipeline statistics. */
  busyMs = 0;

  constructor(size: number, adapter: TModelAdapter, options: DetectionWorkerPoolOptions = {}) {
    if (!Number.isInteger(size) || size < 1)
      throw new SlimboardError('bad_workers', `worker count must be a positive integer, got ${size}`);
    this.perWorker = options.perWorker ?? Infinity;
    if (!(this.perWorker === Infinity || Number.isInteger(this.perWorker)) || this.perWorker < 1)
      throw new SlimboardError('bad_workers', `requests per worker must be a positive integer, got ${this.perWorker}`);
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

  /** Requests submitted but not yet handed to a worker. */
  get queued(): number {
    return this.queue.length;
  }

  private onMessage(i: number, m: WorkerResponse): void {
    const p = this.pending.get(m.id);
    if (p) {
      this.pending.delete(m.id);
      this.inFlight[p.worker]--;
      if (m.ok) {
        this.busyMs += m.busyMs;
        p.resolve(m.result);
      } else p.reject(m.error.slimboard ? new SlimboardError(m.error.code, m.error.message) : new Error(m.error.message));
    } else this.inFlight[i] = Math.max(0, this.inFlight[i] - 1);
    this.dispatch();
  }

  private failAll(e: unknown): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    this.queue.length = 0;
  }

  /** Hand queued requests to free workers, oldest first. */
  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      let best = -1;
      for (let i = 0; i < this.workers.length; i++)
        if (this.inFlight[i] < this.perWorker && (best < 0 || this.inFlight[i] < this.inFlight[best])) best = i;
      if (best < 0) return;
      const q = this.queue.shift()!;
      const p = this.pending.get(q.id);
      if (!p) continue;
      p.worker = best;
      this.inFlight[best]++;
      this.workers[best].postMessage({ ...q.req, id: q.id }, q.transfer);
    }
  }

  /** Queue a request; `transfer` buffers move to the worker when it is dispatched. */
  request<T>(req: DistributiveOmit<WorkerRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, worker: -1 });
      this.queue.push({ id, req, transfer });
      this.dispatch();
    });
  }

  /** Send one request to EVERY worker at once (outside the queue) and wait for all of them. */
  private broadcast(make: () => DistributiveOmit<WorkerRequest, 'id'>): Promise<unknown[]> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return Promise.all(
      this.workers.map((w, i) => {
        const id = this.nextId++;
        this.inFlight[i]++;
        return new Promise((resolve, reject) => {
          this.pending.set(id, { resolve, reject, worker: i });
          w.postMessage({ ...make(), id });
        });
      }),
    );
  }

  /** Send a new adapter to every worker (after auto-detected YOLO strides are resolved). */
  async setAdapter(adapter: TModelAdapter): Promise<void> {
    await this.broadcast(() => ({ type: 'set-adapter', adapter }));
  }

  /**
   * Untimed warm-up of every worker: one preprocessing of a generated image and a few
   * postprocessings of `outputs` (compiles the hot loops before the first real image).
   */
  async warmUp(inputSize: number, outputs: Record<string, RawTensor>, geometry: FitGeometry): Promise<void> {
    await this.broadcast(() => ({ type: 'warm-up', inputSize, outputs, geometry }));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
