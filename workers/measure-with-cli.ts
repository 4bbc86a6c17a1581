import { spawn } from 'node:child_process';
import path from 'node:path';
import { SlimboardError } from '@/lib/errors';

/**
 * Run a Slimboard CLI measuring command (`analyze`, `bench`, `evaluate`) in a child process and
 * return its `--json` object. A child process per measurement keeps onnxruntime's memory and threads
 * out of the worker, lets a shutdown or a lost lease stop a measurement at once (the child's process
 * group is killed), and means the worker measures exactly as a user running the CLI would. The child
 * ignores the terminal (own process group) and dies with the worker (IPC channel).
 *
 * Exit 2 (the CLI's "bad input") becomes a SlimboardError with the CLI's one-line message: the job
 * fails for good. Any other failure is an Error: the job is retried.
 */
export function runCliJson(args: string[], signal: AbortSignal, onStderrLine?: (line: string) => void): Promise<Record<string, unknown>> {
  const main = path.join(process.cwd(), 'lib', 'cli', 'main.ts');
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    // detached: a process group of its own, so a terminal's Ctrl-C (SIGINT to the foreground group) reaches only
    // the worker, which then finishes or releases the job without spending an attempt. The IPC channel ties the
    // child's life to the worker's: lib/cli/main.ts exits when it closes, however the worker ended.
    const child = spawn(process.execPath, ['--import', 'tsx', main, ...args, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      cwd: process.cwd(),
      detached: true,
    });
    // With the IPC entry in stdio, the types no longer know that stdout and stderr are pipes; they are.
    const stdout = child.stdout!;
    const stderr = child.stderr!;
    let out = '';
    let err = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    stderr.on('data', (d: Buffer) => {
      const text = d.toString();
      err += text;
      if (onStderrLine) for (const line of text.split(/[\r\n]+/)) if (line.trim()) onStderrLine(line.trim());
    });
    const onAbort = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL'); // the whole group: the CLI and anything it started
      } catch {
        child.kill('SIGKILL');
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      signal.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const lastLine = err.trim().split('\n').filter((l) => l.trim()).pop() ?? '';
      if (code === 0) {
        try {
          resolve(JSON.parse(out) as Record<string, unknown>);
        } catch {
          reject(new Error(`${args[0]} printed no JSON object (${out.slice(0, 120)})`));
        }
      } else if (code === 2) {
        reject(new SlimboardError('measurement_refused', lastLine.replace(/^error:\s*/, '')));
      } else {
        reject(new Error(`${args[0]} exited with ${code ?? sig}: ${lastLine.slice(0, 300)}`));
      }
    });
  });
}
