import { SlimboardError } from '../../errors';
import { parseCliArgs, requireStringFlag } from '../args';
import { printJson, type CliCommand } from '../command';

async function withPool<T>(fn: (pool: import('pg').Pool) => Promise<T>): Promise<T> {
  const { getDb, getDatabaseUrl, closeDb } = await import('../../db/client');
  const pg = (await import('pg')).default;
  await getDb();
  const pool = new pg.Pool({ connectionString: await getDatabaseUrl(), max: 1 });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
    await closeDb();
  }
}

const create: CliCommand = {
  words: ['token', 'create'],
  summary: 'create an API token for writes (shown once; only its hash is stored)',
  usage:
    'token create --name NAME [--owner OWNER] [--admin] [--scope full|worker] [--json]\n' +
    '  full (default): register runs (owned by OWNER, default the name), re-run and delete runs of OWNER.\n' +
    '  --admin: re-run and delete any run. worker: for a measuring device (SLIMBOARD_API_TOKEN of a worker\n' +
    '  with SLIMBOARD_REMOTE_URL); refused on every write. See docs/owners.md.',
  async run(args, io) {
    const { values } = parseCliArgs(
      args,
      {
        name: { type: 'string' },
        owner: { type: 'string' },
        admin: { type: 'boolean', default: false },
        scope: { type: 'string', default: 'full' },
        json: { type: 'boolean', default: false },
      },
      'token create',
    );
    const name = requireStringFlag(values.name, 'name');
    const { createApiToken, TOKEN_SCOPES } = await import('../../auth/api-tokens');
    const { defaultOwnerFor, parseOwnerHandle } = await import('../../auth/owners');
    const scope = values.scope as string;
    if (!(TOKEN_SCOPES as readonly string[]).includes(scope))
      throw new SlimboardError('bad_arguments', `token create: --scope must be ${TOKEN_SCOPES.join(' or ')}, got "${scope}"`);
    if (values.admin && scope === 'worker') {
      throw new SlimboardError('bad_arguments', 'token create: --admin and --scope worker exclude each other (worker tokens never write)');
    }
    // Checked before the database is opened, so that a bad handle is a plain usage error.
    const owner =
      values.owner === undefined
        ? parseOwnerHandle(defaultOwnerFor(name), 'owner (from --name; give --owner)')
        : parseOwnerHandle(values.owner, '--owner');
    const t = await withPool((pool) =>
      createApiToken(pool, name, { scope: scope as (typeof TOKEN_SCOPES)[number], owner, role: values.admin ? 'admin' : 'user' }),
    );
    if (values.json) printJson(io, t);
    else {
      const kind = `${t.role === 'admin' ? 'admin ' : ''}${t.scope} token "${t.name}" of owner "${t.owner}"`;
      io.stdout(`${t.token}\n(${kind}, id ${t.id}; store it now, it is not shown again)\n`);
    }
    return 0;
  },
};

const list: CliCommand = {
  words: ['token', 'list'],
  summary: 'list API tokens (prefix, scope, owner, name, last use; never the token)',
  usage: 'token list [--json]',
  async run(args, io) {
    const { values } = parseCliArgs(args, { json: { type: 'boolean', default: false } }, 'token list');
    const { listApiTokens } = await import('../../auth/api-tokens');
    const tokens = await withPool((pool) => listApiTokens(pool));
    if (values.json) printJson(io, { tokens });
    else {
      for (const t of tokens) {
        const who = `${t.role === 'admin' ? 'admin ' : ''}owner ${t.owner}`;
        const revoked = t.revokedAt ? '  REVOKED' : '';
        io.stdout(`${t.prefix}…  ${t.scope.padEnd(6)}  ${who}  ${t.name}  created ${t.createdAt.toISOString()}${revoked}\n`);
      }
    }
    return 0;
  },
};

const revoke: CliCommand = {
  words: ['token', 'revoke'],
  summary: 'revoke an API token by id or prefix',
  usage: 'token revoke ID|PREFIX [--json]',
  async run(args, io) {
    const { values, positionals } = parseCliArgs(args, { json: { type: 'boolean', default: false } }, 'token revoke');
    if (positionals.length !== 1) throw new SlimboardError('bad_arguments', 'token revoke: expected one token id or prefix');
    const { revokeApiToken } = await import('../../auth/api-tokens');
    const n = await withPool((pool) => revokeApiToken(pool, positionals[0]));
    if (n === 0) throw new SlimboardError('not_found', `no active token with id or prefix "${positionals[0]}"`);
    if (values.json) printJson(io, { revoked: n });
    else io.stdout(`revoked ${n} token(s)\n`);
    return 0;
  },
};

export default [create, list, revoke];
