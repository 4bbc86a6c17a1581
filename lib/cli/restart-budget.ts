/**
 * How often a supervised process (a web lane, or `--single-web`'s server) may be started again: at most `max`
 * restarts within any `windowMs`. The window slides over the restarts granted; a refused restart is not counted, so a
 * process that keeps dying is refused until its oldest granted restart is `windowMs` old. Half-open: a restart
 * granted at t counts against requests at t <= now < t + windowMs. Pure: the caller gives the time (a monotonic
 * clock, performance.now()).
 */
export class RestartBudget {
  private grantedAtMs: number[] = [];

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {
    if (!Number.isInteger(max) || max < 0) throw new RangeError(`RestartBudget: max must be an integer >= 0, got ${max}`);
    if (!(windowMs > 0)) throw new RangeError(`RestartBudget: windowMs must be > 0, got ${windowMs}`);
  }

  /** True, and counted, when one more restart at `nowMs` keeps at most `max` in the window ending at `nowMs`. */
  take(nowMs: number): boolean {
    this.grantedAtMs = this.grantedAtMs.filter((t) => nowMs - t < this.windowMs);
    if (this.grantedAtMs.length >= this.max) return false;
    this.grantedAtMs.push(nowMs);
    return true;
  }
}
