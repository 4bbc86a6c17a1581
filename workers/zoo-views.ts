/**
 * A web server's zoo-views process (lib/zoo/views-process.ts starts it; not started by hand): computes the zoo views
 * it is asked for (lib/zoo/zoo-view-requests.ts) and sends each value back; when asked, it also stores the value in
 * its build's views store (lib/zoo/zoo-view-snapshots.ts). Every thread of it runs at SLIMBOARD_BACKGROUND_NICENESS,
 * and so do its database backends where the database runs on this machine (lib/db/background-client.ts). It ignores
 * the terminal's SIGINT (its parent stops it) and exits when its parent's IPC channel closes, whatever ended the
 * parent.
 */
import { lowerOwnPriority } from '@/lib/db/background-client';
import { createBackgroundPrismaClient } from '@/lib/db/client';
import { getEnv } from '@/lib/env';
import type { TViewsChildMessage, TViewsRequestMessage } from '@/lib/zoo/views-process';
import { computeZooView } from '@/lib/zoo/zoo-view-requests';
import { zooViewSnapshots } from '@/lib/zoo/zoo-view-snapshots';

const env = getEnv();
const niceness = env.SLIMBOARD_BACKGROUND_NICENESS === 'off' ? undefined : env.SLIMBOARD_BACKGROUND_NICENESS;
if (niceness !== undefined) lowerOwnPriority(niceness);
if (!process.send || !env.DATABASE_URL) {
  process.stderr.write('zoo-views: started without its parent (lib/zoo/views-process.ts forks it with DATABASE_URL)\n');
  process.exit(2);
}
const db = createBackgroundPrismaClient(env.DATABASE_URL, niceness);

process.on('SIGINT', () => undefined);
process.once('disconnect', () => void db.$disconnect().finally(() => process.exit(0)));
process.once('SIGTERM', () => void db.$disconnect().finally(() => process.exit(0)));

// The views' store for this build (SLIMBOARD_BUILD_ID, inherited from the web server), if it keeps one.
const store = zooViewSnapshots(db);

process.on('message', (message: TViewsRequestMessage) => {
  const started = performance.now();
  computeZooView(db, message.request).then(
    (value) => {
      const { save } = message;
      // The value goes back first; the save (V8 serialization and the write) follows here, at this process's priority.
      reply({ id: message.id, value, stored: Boolean(save && store) });
      if (!save || !store) return;
      const computeMs = performance.now() - started;
      store
        .save(save.key, { value, version: save.version, computedAt: new Date(), computeMs, stale: false })
        .catch((e: unknown) => process.stderr.write(`zoo-views: could not store ${save.key}: ${(e as Error).message}\n`));
    },
    (e: unknown) => reply({ id: message.id, error: `zoo-views: ${e instanceof Error ? e.message : String(e)}` }),
  );
});

function reply(message: TViewsChildMessage): void {
  if (!process.connected) return;
  process.send!(message, (e: Error | null) => {
    if (e) process.stderr.write(`zoo-views: could not send a value back: ${e.message}\n`);
  });
}

reply({ ready: true });
