import type { CliCommand } from './command';

/**
 * Every CLI command module, keyed by the first command word, loaded lazily: `eval coco` loads only
 * commands/eval.ts, so it does not pay for onnxruntime or Prisma. Each module default-exports a
 * `CliCommand` or an array whose commands all start with the key. `help` loads them all.
 */
export const commandModules: Record<string, () => Promise<{ default: CliCommand | CliCommand[] }>> = {
  dataset: () => import('./commands/dataset'),
  build: () => import('./commands/build'),
  analyze: () => import('./commands/analyze'),
  prune: () => import('./commands/prune'),
  compress: () => import('./commands/compress'),
  bench: () => import('./commands/bench'),
  evaluate: () => import('./commands/evaluate'),
  eval: () => import('./commands/eval'),
  db: () => import('./commands/db'),
  zoo: () => import('./commands/zoo'),
  start: () => import('./commands/start'),
  submit: () => import('./commands/submit'),
  token: () => import('./commands/token'),
  worker: () => import('./commands/worker'),
  demo: () => import('./commands/demo'),
};
