import net from 'node:net';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureNextBuild, spawnWebServer, waitForHttp } from '../../lib/cli/commands/start';

/**
 * globalSetup of the `e2e` project (after tests/setup/db.ts): builds the app when the build is missing or
 * stale (serialised with `npm start` by a lock), serves it with `next start` on a free port in 3100-3199
 * against this run's test database, and provides its URL as inject('appUrl').
 */

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  const start = 3100 + Math.floor(Math.random() * 100);
  for (let i = 0; i < 100; i++) {
    const port = 3100 + ((start - 3100 + i) % 100);
    if (await portFree(port)) return port;
  }
  throw new Error('no free port in 3100-3199 for the e2e web server');
}

export default async function setup(project: TestProject) {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('tests/setup/app.ts needs tests/setup/db.ts to run first (DATABASE_URL unset)');
  const buildMs = await ensureNextBuild((line) => console.log(`[app setup] ${line}`), root);
  if (buildMs === 0) console.log('[app setup] build is current');
  const port = await freePort();
  const server = spawnWebServer(root, port, databaseUrl, { stdio: 'pipe' });
  let output = '';
  server.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  server.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/zoo`, server, 120_000);
  } catch (e) {
    server.kill('SIGKILL');
    throw new Error(`${e instanceof Error ? e.message : e}\n${output.slice(-2000)}`);
  }
  console.log(`[app setup] serving ${url}`);
  project.provide('appUrl', url);
  return async () => {
    if (server.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => server.kill('SIGKILL'), 10_000);
      server.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      server.kill('SIGTERM');
    });
  };
}
