import { spawn } from 'node:child_process';
import path from 'node:path';
import type { CliCommand } from '../command';

/**
 * `slimboard worker`: starts the worker process entry (workers/main.ts, same as `npm run worker`) as a
 * child with the same environment, forwarding SIGTERM/SIGINT (lib/ does not import workers/).
 */
const worker: CliCommand = {
  words: ['worker'],
  summary: 'run a measuring worker (same as `npm run worker`); SIGTERM finishes or releases its job',
  usage: 'worker',
  async run() {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(process.cwd(), 'workers', 'main.ts')], { stdio: 'inherit' });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => child.kill(signal));
    return new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  },
};

export default worker;
