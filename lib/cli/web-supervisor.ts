import type { ChildProcess } from 'node:child_process';
import type { RestartBudget } from './restart-budget';

/**
 * `start`'s watch over a web process (a lane, or `--single-web`'s server): when it exits while start runs, it is
 * started again if its RestartBudget allows, and watched again once it answers; when the budget is spent, or the
 * restart fails, start gives up (stops as a whole). An exit while start is stopping is expected and ignored.
 */

export interface SupervisedWeb {
  /** How the log names it: `the browse lane`, `the web server`. */
  name: string;
  server: ChildProcess;
  budget: RestartBudget;
  /** Start it again; resolves with the new process once it answers. */
  restart: () => Promise<ChildProcess>;
  /** Where it answers now, for the log: `127.0.0.1:40123 (pid 4242)`. */
  where: () => string;
}

export interface WebSupervision {
  log: (line: string) => void;
  /** True once start is stopping. */
  stopping: () => boolean;
  /** A restarted process that answers: start stops it with the rest (at once when it is already stopping). */
  adopt: (next: ChildProcess) => void;
  /** The budget is spent, or a restart failed: start stops as a whole. */
  giveUp: () => void;
  /** The budget's clock (default performance.now). */
  nowMs?: () => number;
}

/** 1st, 2nd, 3rd, 4th, …, 11th, 12th, 13th, 21st. */
export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

export function superviseWeb(web: SupervisedWeb, s: WebSupervision): void {
  web.server.once('exit', (code, signal) => {
    if (s.stopping()) return;
    const how = signal ?? `code ${code}`;
    if (!web.budget.take(s.nowMs ? s.nowMs() : performance.now())) {
      s.log(`web: ${web.name} exited (${how}), its ${ordinal(web.budget.max + 1)} exit in ${web.budget.windowMs / 60_000} min; stopping`);
      s.giveUp();
      return;
    }
    s.log(`web: ${web.name} exited (${how}); starting it again`);
    web.restart().then(
      (next) => {
        s.adopt(next);
        if (s.stopping()) return;
        superviseWeb({ ...web, server: next }, s);
        s.log(`web: ${web.name} answers again on ${web.where()}`);
      },
      (e: unknown) => {
        if (s.stopping()) return;
        s.log(`web: ${web.name} could not be started again (${(e as Error).message}); stopping`);
        s.giveUp();
      },
    );
  });
}
