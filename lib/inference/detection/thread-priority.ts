/**
 * Thread priorities for the detection pipeline (Linux: nice values are per thread; a thread id
 * passed to setpriority(PRIO_PROCESS, tid) addresses that one thread). Pre/post-processing threads
 * run a few nice levels below inference, so that they use the cycles onnxruntime leaves idle rather
 * than preempting its intra-op threads, which wait for each other at every operator.
 * Raising a nice value never needs privileges; every failure is ignored (other platforms: no-op).
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** Nice value after adding `offset` (clamped to the valid range -20..19). */
export function offsetNice(current: number, offset: number): number {
  return Math.max(-20, Math.min(19, current + offset));
}

/**
 * Lower the priority of thread `tid` (undefined: the calling thread) by `offset` nice levels.
 * Returns the new nice value, or undefined when the platform refused.
 */
export function lowerThreadPriority(tid: number | undefined, offset: number): number | undefined {
  try {
    const now = tid === undefined ? os.getPriority() : os.getPriority(tid);
    const next = offsetNice(now, offset);
    if (next !== now) {
      if (tid === undefined) os.setPriority(next);
      else os.setPriority(tid, next);
    }
    return next;
  } catch {
    return undefined;
  }
}

/**
 * Thread ids of this process whose name (Linux /proc/self/task/<tid>/comm) is `name`; empty where
 * /proc is not available.
 */
export function threadIdsNamed(name: string): number[] {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const t of tids) {
    try {
      if (readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim() === name) out.push(Number(t));
    } catch {
      /* the thread has exited meanwhile */
    }
  }
  return out;
}

/**
 * Set every libvips worker thread (named "libvips worker"; they do sharp's decoding and resizing) to
 * at least `nice`. Threads already at or below that priority are left alone. Returns how many changed.
 */
export function lowerLibvipsThreads(nice: number): number {
  let changed = 0;
  for (const tid of threadIdsNamed('libvips worker')) {
    try {
      if (os.getPriority(tid) < nice) {
        os.setPriority(tid, nice);
        changed++;
      }
    } catch {
      /* exited or not permitted */
    }
  }
  return changed;
}
