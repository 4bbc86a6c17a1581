import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSchemaPaths, diffMigrationsAgainstSchema } from './schema-engine';

/**
 * CI's drift check: prisma/schema.prisma and prisma/migrations must describe the same database.
 * Runs Prisma's schema engine (wasm) against an in-memory PGlite shadow database.
 * Fix a failure with: npm run -s slimboard -- db new-migration --name <what_changed>
 */
describe('schema drift', () => {
  const root = path.resolve(import.meta.dirname, '..', '..');

  it('schema.prisma and prisma/migrations agree', async () => {
    const report = await diffMigrationsAgainstSchema(defaultSchemaPaths(root));
    expect(report.missingSql, 'schema.prisma has changes that no migration creates').toBe('');
    expect(report.inSync).toBe(true);
  });

  it('EXPECTED FAILURE: a model added to the schema without a migration is drift', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slimboard-drift-'));
    const schemaPath = path.join(dir, 'schema.prisma');
    fs.writeFileSync(schemaPath, fs.readFileSync(path.join(root, 'prisma', 'schema.prisma'), 'utf8') + '\nmodel DriftProbe {\n  id Int @id\n}\n');
    try {
      const report = await diffMigrationsAgainstSchema({ schemaPath, migrationsDir: path.join(root, 'prisma', 'migrations') });
      expect(report.inSync).toBe(false);
      expect(report.missingSql).toContain('CREATE TABLE "DriftProbe"');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
