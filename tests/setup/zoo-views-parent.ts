/**
 * A stand-in web server for lib/zoo/views-process.db.test.ts: enables the zoo-views process for this checkout, has it
 * compute the landing page once, prints `views pid <pid>` and waits to be killed (the test SIGKILLs it and checks
 * that the zoo-views process exits with it). DATABASE_URL names the test database.
 */
import path from 'node:path';
import { enableZooViewsProcess, zooViewOffload, zooViewsProcessPid } from '../../lib/zoo/views-process';

enableZooViewsProcess(path.resolve(import.meta.dirname, '..', '..'));
await zooViewOffload({ kind: 'overview' })!({ key: 'unused', version: '0', save: false });
process.stdout.write(`views pid ${await zooViewsProcessPid()}\n`);
setInterval(() => undefined, 60_000);
