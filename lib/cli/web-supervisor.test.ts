import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { RestartBudget } from './restart-budget';
import { ordinal, superviseWeb, type WebSupervision } from './web-supervisor';

/**
 * superviseWeb with real processes standing in for web servers (a node that sleeps): each is SIGKILLed as a dying
 * lane would be; the restart spawns another. The budget's clock is the test's, so the window is exact.
 */

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function sleeper(): ChildProcess {
  const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  started.push(c);
  return c;
}

/** `ownClock: false`: the supervisor's default clock (performance.now). */
function harness(o: { max: number; failRestart?: boolean; ownClock?: boolean }) {
  const lines: string[] = [];
  const adopted: ChildProcess[] = [];
  let gaveUp = 0;
  let stopping = false;
  let now = 0;
  const supervision: WebSupervision = {
    log: (l) => lines.push(l),
    stopping: () => stopping,
    adopt: (c) => adopted.push(c),
    giveUp: () => gaveUp++,
    nowMs: o.ownClock === false ? undefined : () => now,
  };
  let current = sleeper();
  superviseWeb(
    {
      name: 'the browse lane',
      server: current,
      budget: new RestartBudget(o.max, 600_000),
      restart: async () => {
        if (o.failRestart) throw new Error('port 4000 taken');
        current = sleeper();
        return current;
      },
      where: () => `127.0.0.1:4000 (pid ${current.pid})`,
    },
    supervision,
  );
  const until = (f: () => boolean) => expect.poll(f, { timeout: 5_000, interval: 20 }).toBe(true);
  return {
    lines,
    adopted,
    gaveUp: () => gaveUp,
    current: () => current,
    stop: () => (stopping = true),
    advance: (ms: number) => (now += ms),
    until,
    /** SIGKILL the process now watched, and wait for the log line that follows. */
    async kill(expectLines: number) {
      current.kill('SIGKILL');
      await until(() => lines.length >= expectLines);
    },
  };
}

describe('superviseWeb', () => {
  it('restarts a lane that dies, watches the new one, and gives up at the exit past the budget (3 within 10 min: the 4th)', async () => {
    const h = harness({ max: 3 });
    const pids = [h.current().pid];
    for (let i = 1; i <= 3; i++) {
      await h.kill(2 * i);
      pids.push(h.current().pid);
      expect(h.lines.slice(-2)).toEqual([
        'web: the browse lane exited (SIGKILL); starting it again',
        `web: the browse lane answers again on 127.0.0.1:4000 (pid ${h.current().pid})`,
      ]);
    }
    expect(new Set(pids).size).toBe(4);
    expect(h.adopted.map((c) => c.pid)).toEqual(pids.slice(1));
    expect(h.gaveUp()).toBe(0);
    await h.kill(7);
    expect(h.lines[6]).toBe('web: the browse lane exited (SIGKILL), its 4th exit in 10 min; stopping');
    expect(h.gaveUp()).toBe(1);
  });

  it('a restart the window has forgotten is granted again: the 4th exit 10 min after the 1st restart is restarted', async () => {
    const h = harness({ max: 3 });
    for (let i = 1; i <= 3; i++) await h.kill(2 * i);
    h.advance(600_000);
    await h.kill(8);
    expect(h.lines[7]).toMatch(/answers again/);
    expect(h.gaveUp()).toBe(0);
  });

  it('a restart that fails gives up, naming why (on the default clock)', async () => {
    const h = harness({ max: 3, failRestart: true, ownClock: false });
    await h.kill(2);
    expect(h.lines).toEqual([
      'web: the browse lane exited (SIGKILL); starting it again',
      'web: the browse lane could not be started again (port 4000 taken); stopping',
    ]);
    expect(h.gaveUp()).toBe(1);
  });

  it('an exit while start is stopping is expected: nothing is restarted, logged or given up', async () => {
    const h = harness({ max: 3 });
    h.stop();
    const dead = h.current();
    dead.kill('SIGKILL');
    await h.until(() => dead.signalCode === 'SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
    expect(h.lines).toEqual([]);
    expect(h.gaveUp()).toBe(0);
    expect(h.current()).toBe(dead);
  });

  it('ordinal', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '101st',
      '111th',
    ]);
  });
});
