import { SlimboardError } from '../../errors';
import { parseCliArgs, requireStringFlag } from '../args';
import { printJson, type CliCommand } from '../command';

/** Database maintenance: apply migrations, author a new one, check schema/migration drift. */

const migrate: CliCommand = {
  words: ['db', 'migrate'],
  summary: 'apply pending migrations (starts the embedded database if needed)',
  usage: 'npm run -s slimboard -- db migrate [--json]',
  async run(args, io) {
    const { values } = parseCliArgs(args, { json: { type: 'boolean' } }, 'db migrate');
    const { getDatabaseUrl, closeDb } = await import('../../db/client');
    const { applyMigrations } = await import('../../db/migrations');
    try {
      const result = await applyMigrations(await getDatabaseUrl());
      if (values.json) printJson(io, result);
      else
        io.stdout(
          `applied ${result.applied.length} ` +
            `migration(s)${result.applied.length ? ': ' + result.applied.join(', ') : ''}; ${result.alreadyApplied.length} already ` +
            `applied\n`,
        );
      return 0;
    } finally {
      await closeDb();
    }
  },
};

const newMigration: CliCommand = {
  words: ['db', 'new-migration'],
  summary: 'write prisma/migrations/<timestamp>_<name> for the changes in prisma/schema.prisma',
  usage: 'npm run -s slimboard -- db new-migration --name <snake_case_name>',
  async run(args, io) {
    const { values } = parseCliArgs(args, { name: { type: 'string' } }, 'db new-migration');
    const name = requireStringFlag(values.name, 'name');
    const { createMigration } = await import('../../db/schema-engine');
    const created = await createMigration(name);
    if (!created) {
      io.stdout('schema.prisma and the migrations already agree: no migration written\n');
      return 0;
    }
    io.stdout(`wrote ${created.directory}/migration.sql\n`);
    return 0;
  },
};

const check: CliCommand = {
  words: ['db', 'check'],
  summary: 'fail (exit 2) when prisma/schema.prisma and prisma/migrations disagree',
  usage: 'npm run -s slimboard -- db check',
  async run(args, io) {
    parseCliArgs(args, {}, 'db check');
    const { diffMigrationsAgainstSchema } = await import('../../db/schema-engine');
    const report = await diffMigrationsAgainstSchema();
    if (!report.inSync) {
      throw new SlimboardError(
        'schema_drift',
        `prisma/schema.prisma has changes no migration creates; run: npm run -s slimboard -- db new-migration --name ` +
          `<what>\n${report.missingSql}`,
      );
    }
    io.stdout('schema.prisma and prisma/migrations agree\n');
    return 0;
  },
};

export default [migrate, newMigration, check];
