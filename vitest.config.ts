import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Three projects, one runner (`npm test` runs them all):
 * - unit: `*.test.ts` beside the code; pure, no database, no browser.
 * - db:   `*.db.test.ts`; a real PostgreSQL (embedded, or DATABASE_URL) started by tests/setup/db.ts.
 * - e2e:  `e2e/*.e2e.test.ts`; the built app served on localhost, driven by headless Chromium (tests/setup/launch-browser.ts).
 */
const alias = { '@': path.resolve(import.meta.dirname) };

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['lib/**/*.test.ts', 'workers/**/*.test.ts', 'app/**/*.test.ts', 'tools/**/*.test.ts', 'tests/**/*.test.ts'],
          exclude: ['**/*.db.test.ts', '**/node_modules/**'],
          testTimeout: 60_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'db',
          include: ['**/*.db.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['tests/setup/db.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          globalSetup: ['tests/setup/db.ts', 'tests/setup/app.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
