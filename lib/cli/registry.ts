import type { CliCommand } from './command';

/**
 * Every CLI command, loaded lazily so that `zoo export` does not load onnxruntime and `bench` does not
 * load Prisma. Add a line per command module; each module default-exports a `CliCommand` or an array.
 */
export const commandModules: Array<() => Promise<{ default: CliCommand | CliCommand[] }>> = [
  () => import('./commands/dataset'),
  () => import('./commands/build'),
  () => import('./commands/analyze'),
  () => import('./commands/prune'),
  () => import('./commands/bench'),
  () => import('./commands/evaluate'),
  () => import('./commands/eval'),
  () => import('./commands/db'),
  () => import('./commands/zoo'),
  () => import('./commands/start'),
];
