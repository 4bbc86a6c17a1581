import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getDatabaseUrl, getDb } from '../db/client';
import { resetEnvForTests } from '../env';
import { DEFAULT_VIEW } from '../explorer/view-state';
import { explorerViewData } from './explorer-view-data';
import { buildSectionPages } from './list-zoo-rows';
import { computeOverview } from './overview-data';
import { ZOO_PAGE_SIZE, ZZooQuery } from './query';
import { disableZooViewsProcess, enableZooViewsProcess, zooViewOffload, zooViewsProcessPid } from './views-process';
import { clearZooCache } from './zoo-cache';
import type { TZooViewRequest, TZooViewValue } from './zoo-view-requests';
import { readZooViewSnapshot } from './zoo-view-snapshots';

/**
 * The web server's zoo-views process (lib/zoo/views-process.ts, workers/zoo-views.ts), started for real from this
 * checkout on the test database: the same values as computed in process, every thread and database backend of it at
 * the background niceness, a death mid-request, an idle stop, one that cannot start, its parent's death, and `off`.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');

afterEach(async () => {
  await disableZooViewsProcess();
  vi.unstubAllEnvs();
  resetEnvForTests();
  clearZooCache();
});

/** `request` computed in the zoo-views process (nothing stored). */
async function computedThere<R extends TZooViewRequest>(request: R): Promise<TZooViewValue<R>> {
  const { value, stored } = await zooViewOffload(request)!({ key: 'unused', version: '0', save: false });
  expect(stored).toBe(false);
  return value;
}

/** Whether `pid` is a running process (a zombie that nobody reaped yet has exited). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The niceness of every thread of `pid` (Linux /proc). */
function threadNiceness(pid: number): number[] {
  return fs.readdirSync(`/proc/${pid}/task`).map((tid) => os.getPriority(Number(tid)));
}

describe('zoo-views process', () => {
  it('computes the landing page, an explorer view and a zoo page as the web process would, at the lowest priority', async () => {
    expect(enableZooViewsProcess(ROOT)).toBe(true);
    const db = await getDb();
    const view = { ...DEFAULT_VIEW, dataset: 'coco' };
    const query = ZZooQuery.parse({});
    const elsewhere = {
      overview: await computedThere({ kind: 'overview' }),
      explorer: await computedThere({ kind: 'explorer', view, budget: 2000 }),
      page: await computedThere({ kind: 'zoo-page', query, pageSize: ZOO_PAGE_SIZE }),
    };
    clearZooCache();
    const here = {
      overview: await computeOverview(db),
      explorer: await explorerViewData(db, view, 2000),
      page: await buildSectionPages(db, query, ZOO_PAGE_SIZE),
    };
    expect(elsewhere).toEqual(here);
    expect(elsewhere.overview.chart.entries.length).toBeGreaterThan(0);
    expect(elsewhere.page.sections.length).toBeGreaterThan(0);

    const pid = (await zooViewsProcessPid())!;
    expect(pid).not.toBe(process.pid);
    const threads = threadNiceness(pid);
    expect(threads.length).toBeGreaterThan(1);
    expect(new Set(threads)).toEqual(new Set([19]));
    const backends = await db.$queryRaw<Array<{ pid: number }>>`
      SELECT pid FROM pg_stat_activity WHERE application_name = 'slimboard-background' AND datname = current_database()`;
    expect(backends.length).toBeGreaterThan(0);
    expect(new Set(backends.map((b) => os.getPriority(b.pid)))).toEqual(new Set([19]));
  });

  it("asked to, it stores the value in its build's store itself, at the version given", async () => {
    const build = `views-test-${process.pid}-${Date.now()}`;
    vi.stubEnv('SLIMBOARD_BUILD_ID', build); // the child inherits it, as from the web server
    resetEnvForTests();
    enableZooViewsProcess(ROOT);
    const { value, stored } = await zooViewOffload({ kind: 'overview' })!({ key: 'overview', version: '41', save: true });
    expect(stored).toBe(true);
    const db = await getDb();
    const row = await vi.waitFor(
      async () => {
        const got = await readZooViewSnapshot(db, 'overview', build);
        expect(got).toBeDefined();
        return got!;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect([row.version, row.value]).toEqual(['41', value]);
    expect(row.computeMs).toBeGreaterThan(0);
  });

  it('a process killed mid-request: the request is rejected, naming it; the next request starts a new one', async () => {
    enableZooViewsProcess(ROOT);
    await computedThere({ kind: 'overview' }); // started and ready
    const pid = (await zooViewsProcessPid())!;
    const pending = computedThere({ kind: 'overview' });
    process.kill(pid, 'SIGKILL');
    await expect(pending).rejects.toThrow('the zoo-views process exited (SIGKILL) before it answered');
    const again = await computedThere({ kind: 'overview' });
    expect(again.chart.entries.length).toBeGreaterThan(0);
    expect(await zooViewsProcessPid()).not.toBe(pid);
  });

  it('stops after it has been idle for idleStopMs; the next request starts another', async () => {
    enableZooViewsProcess(ROOT, { idleStopMs: 300 });
    await computedThere({ kind: 'overview' });
    const pid = (await zooViewsProcessPid())!;
    await vi.waitFor(() => expect(running(pid)).toBe(false), { timeout: 10_000, interval: 100 });
    expect(await zooViewsProcessPid()).toBeUndefined();
    await computedThere({ kind: 'overview' });
    expect(await zooViewsProcessPid()).not.toBe(pid);
  });

  it('one that cannot start is not started again at every request for a while', async () => {
    // Inside the checkout (ignored by git), so that `--import tsx` resolves from its node_modules.
    fs.mkdirSync(path.join(ROOT, '.slimboard'), { recursive: true });
    const root = fs.mkdtempSync(path.join(ROOT, '.slimboard', 'zoo-views-broken-'));
    const starts = path.join(root, 'starts');
    fs.mkdirSync(path.join(root, 'workers'));
    // A zoo-views entry that fails while loading: it counts its starts and exits 3 before it is ready.
    fs.writeFileSync(
      path.join(root, 'workers', 'zoo-views.ts'),
      `import fs from 'node:fs';\nfs.appendFileSync(${JSON.stringify(starts)}, 'x');\nprocess.exit(3);\n`,
    );
    try {
      enableZooViewsProcess(root);
      await expect(computedThere({ kind: 'overview' })).rejects.toThrow('the zoo-views process exited (code 3) before it answered');
      await expect(computedThere({ kind: 'overview' })).rejects.toThrow(
        /exited \(code 3\) before it answered, before it was ready; a new one is tried in (59|60) s/,
      );
      expect(fs.readFileSync(starts, 'utf8')).toBe('x'); // started once; zoo-cache computes in process meanwhile
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('exits with its parent, whatever killed the parent (SIGKILL here)', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests', 'setup', 'zoo-views-parent.ts')], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: await getDatabaseUrl() },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await vi.waitFor(() => expect(out).toMatch(/views pid \d+/), { timeout: 60_000, interval: 100 });
    const pid = Number(/views pid (\d+)/.exec(out)![1]);
    expect(running(pid)).toBe(true);
    parent.kill('SIGKILL');
    await vi.waitFor(() => expect(running(pid)).toBe(false), { timeout: 10_000, interval: 100 });
  });

  it('SLIMBOARD_BACKGROUND_NICENESS=off: nothing is enabled, views are computed in process', () => {
    vi.stubEnv('SLIMBOARD_BACKGROUND_NICENESS', 'off');
    resetEnvForTests();
    expect(enableZooViewsProcess(ROOT)).toBe(false);
    expect(zooViewOffload({ kind: 'overview' })).toBeUndefined();
  });
});
