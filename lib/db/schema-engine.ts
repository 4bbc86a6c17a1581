import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SlimboardError } from '../errors';

/**
 * Prisma's schema engine as WebAssembly (`@prisma/schema-engine-wasm`, a dev dependency), with an
 * in-memory PGlite as its database and shadow database. This replaces the native engine that the
 * Prisma CLI would download (impossible offline) for the two jobs Slimboard needs at development time:
 * - `diffMigrationsAgainstSchema`: do prisma/migrations and prisma/schema.prisma describe the same
 *   database? (the drift test);
 * - `createMigration`: write the next prisma/migrations/<timestamp>_<name>/migration.sql.
 * Only the `db` CLI commands and tests import this module; the app and the workers never do.
 */

interface EngineModule {
  __wbg_set_wasm(wasm: WebAssembly.Exports): void;
  SchemaEngine: {
    new: (
      options: { datamodels: [string, string][] | undefined },
      log: (msg: string) => void,
      adapter: object,
    ) => Promise<SchemaEngineInstance>;
  };
}

interface SchemaEngineInstance {
  diff(params: unknown): Promise<{ exitCode: number; stdout: string | null }>;
  devDiagnostic(params: unknown): Promise<{ action: { tag: string; reason?: string } }>;
  createMigration(params: unknown): Promise<{ generatedMigrationName: string; migrationScript: string | null; extension: string }>;
  free(): void;
}

export interface SchemaPaths {
  schemaPath: string;
  migrationsDir: string;
}

export function defaultSchemaPaths(root = process.cwd()): SchemaPaths {
  return { schemaPath: path.join(root, 'prisma', 'schema.prisma'), migrationsDir: path.join(root, 'prisma', 'migrations') };
}

const FILTERS = { externalTables: [], externalEnums: [] };

let wasmModule: Promise<EngineModule> | undefined;

/** Instantiate the wasm once per process (its glue module holds global state). */
function loadWasm(): Promise<EngineModule> {
  wasmModule ??= (async () => {
    const require = createRequire(import.meta.url);
    const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bg = (await import(pathToFileURL(bgPath).href)) as EngineModule;
    const globals = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(m: string): void } };
    globals.PRISMA_WASM_PANIC_REGISTRY ??= { set_message: (m: string) => void m };
    const bytes = fs.readFileSync(path.join(path.dirname(bgPath), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bg as unknown as WebAssembly.ModuleImports });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return wasmModule;
}

async function loadEngine(schema: string): Promise<{ engine: SchemaEngineInstance; close: () => Promise<void> }> {
  const bg = await loadWasm();
  const { PGlite } = await import('@electric-sql/pglite');
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  const { bindMigrationAwareSqlAdapterFactory } = await import('@prisma/driver-adapter-utils');
  const pglite = new PGlite();
  const factory = bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(pglite) as never);
  const engine = await bg.SchemaEngine.new({ datamodels: [['schema.prisma', schema]] }, () => undefined, factory);
  return {
    engine,
    close: async () => {
      engine.free();
      await pglite.close();
    },
  };
}

/** The migrations folder in the shape the engine wants (directories in name order). */
export function readMigrationList(migrationsDir: string) {
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  const dirs = fs.existsSync(migrationsDir)
    ? fs
        .readdirSync(migrationsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((name) => {
      const file = path.join(migrationsDir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: fs.existsSync(file) ? { tag: 'ok', value: fs.readFileSync(file, 'utf8') } : { tag: 'error', value: `missing ${file}` },
        },
      };
    }),
  };
}

export interface DriftReport {
  /** True when applying every migration yields exactly the schema. */
  inSync: boolean;
  /** The SQL a new migration would need (empty when in sync). */
  missingSql: string;
}

export async function diffMigrationsAgainstSchema(paths: SchemaPaths = defaultSchemaPaths()): Promise<DriftReport> {
  const schema = fs.readFileSync(paths.schemaPath, 'utf8');
  const { engine, close } = await loadEngine(schema);
  try {
    const result = await engine.diff({
      from: { tag: 'migrations', ...readMigrationList(paths.migrationsDir) },
      to: { tag: 'schemaDatamodel', files: [{ path: paths.schemaPath, content: schema }] },
      script: true,
      exitCode: true,
      filters: FILTERS,
    });
    const sql = (result.stdout ?? '').trim();
    const inSync = result.exitCode === 0;
    return { inSync, missingSql: inSync ? '' : sql };
  } finally {
    await close();
  }
}

/** Write prisma/migrations/<timestamp>_<name>/migration.sql for the current schema; null when nothing changed. */
export async function createMigration(
  name: string,
  paths: SchemaPaths = defaultSchemaPaths(),
): Promise<{ directory: string; sql: string } | null> {
  if (!/^[a-z0-9_]{1,60}$/.test(name)) {
    throw new SlimboardError('bad_arguments', `migration name must be 1-60 characters of [a-z0-9_], got "${name}"`);
  }
  const schema = fs.readFileSync(paths.schemaPath, 'utf8');
  const { engine, close } = await loadEngine(schema);
  try {
    const migrationsList = readMigrationList(paths.migrationsDir);
    // The engine fills its shadow-database cache in devDiagnostic; createMigration fails without it.
    await engine.devDiagnostic({ migrationsList, filters: FILTERS });
    const out = await engine.createMigration({
      draft: false,
      migrationName: name,
      migrationsList,
      schema: { files: [{ path: paths.schemaPath, content: schema }] },
      filters: FILTERS,
    });
    if (out.migrationScript === null) return null;
    const directory = path.join(paths.migrationsDir, out.generatedMigrationName);
    fs.mkdirSync(directory, { recursive: true });
    fs.writeFileSync(path.join(directory, 'migration.sql'), out.migrationScript);
    const lockPath = path.join(paths.migrationsDir, 'migration_lock.toml');
    if (!fs.existsSync(lockPath)) {
      fs.writeFileSync(
        lockPath,
        '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = ' +
          '"postgresql"\n',
      );
    }
    return { directory, sql: out.migrationScript };
  } finally {
    await close();
  }
}
