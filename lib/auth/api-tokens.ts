import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { SlimboardError } from '../errors';
import { defaultOwnerFor, parseOwnerHandle, type TokenRole } from './owners';

/**
 * API tokens: every write (register, re-run, delete) needs one. A token is `sb_` + 32 random bytes
 * (base64url); only its sha256 is stored (`ApiToken.tokenHash`), plus an 11-character prefix to
 * recognise it in listings. The plain token is shown once, when created with `slimboard token create`.
 * sha256 without salt is enough here: tokens carry 256 bits of entropy, they are not passwords.
 * Each token has an owner and a role (lib/auth/owners.ts, docs/owners.md).
 */

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface CreatedToken {
  id: string;
  name: string;
  /** The plain token: shown once, never stored. */
  token: string;
  prefix: string;
  scope: TokenScope;
  owner: string;
  role: TokenRole;
}

/** `full` tokens write (register, re-run, delete); `worker` tokens only read what a measuring device needs. */
export const TOKEN_SCOPES = ['full', 'worker'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface TokenIdentity {
  id: string;
  name: string;
  scope: TokenScope;
  /** The owner its runs get; a `user` token deletes and re-runs only these. */
  owner: string;
  role: TokenRole;
}

export interface CreateTokenOptions {
  scope?: TokenScope;
  /** Default: the token's name (lib/auth/owners.ts defaultOwnerFor). */
  owner?: string;
  /** `admin` deletes and re-runs any run; only the CLI makes one. */
  role?: TokenRole;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** `scopeOrOptions`: a scope alone (as before owners) or the options. */
export async function createApiToken(
  db: Queryable,
  name: string,
  scopeOrOptions: TokenScope | CreateTokenOptions = {},
): Promise<CreatedToken> {
  const options: CreateTokenOptions = typeof scopeOrOptions === 'string' ? { scope: scopeOrOptions } : scopeOrOptions;
  const { scope = 'full', role = 'user' } = options;
  if (role !== 'user' && role !== 'admin') {
    throw new SlimboardError('bad_token_role', `token role must be user or admin, got "${String(role)}"`);
  }
  if (role === 'admin' && scope === 'worker') {
    throw new SlimboardError('bad_token_role', 'a worker token cannot be an admin (it never deletes or re-runs)');
  }
  if (!TOKEN_SCOPES.includes(scope))
    throw new SlimboardError('bad_token_scope', `token scope must be ${TOKEN_SCOPES.join(' or ')}, got "${scope}"`);
  const trimmed = name.trim();
  if (!/^[\w .@-]{1,100}$/.test(trimmed)) {
    throw new SlimboardError('bad_token_name', `token name "${name.slice(0, 100)}" must be 1-100 letters, digits, spaces or . _ @ -`);
  }
  const owner = parseOwnerHandle(options.owner ?? defaultOwnerFor(trimmed));
  const token = `sb_${randomBytes(32).toString('base64url')}`;
  const id = randomUUID();
  const prefix = token.slice(0, 11);
  await db.query(
    `INSERT INTO "ApiToken" (id, name, "tokenHash", "tokenPrefix", scope, owner, role, "createdAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, now())`,
    [id, trimmed, hashToken(token), prefix, scope, owner, role],
  );
  return { id, name: trimmed, token, prefix, scope, owner, role };
}

/** Parse `Authorization: Bearer sb_…`; missing or malformed -> 401. */
export function bearerToken(authorization: string | null | undefined): string {
  if (!authorization)
    throw new SlimboardError(
      'unauthorized',
      'this request writes data and needs an API token (Authorization: Bearer sb_…; create one with `slimboard token create`)',
      { status: 401 },
    );
  const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!m) throw new SlimboardError('unauthorized', 'Authorization header must be "Bearer <token>"', { status: 401 });
  return m[1];
}

/**
 * Check a plain token against the stored hashes; unknown or revoked -> 401. Every caller today guards a
 * write, so a `worker` token is refused (403) unless the caller only reads (`allowWorker`).
 */
export async function verifyApiToken(db: Queryable, token: string, options: { allowWorker?: boolean } = {}): Promise<TokenIdentity> {
  if (!/^sb_[A-Za-z0-9_-]{43}$/.test(token))
    throw new SlimboardError('unauthorized', 'API token is malformed (expected sb_ followed by 43 characters)', { status: 401 });
  const hash = hashToken(token);
  const r = await db.query(
    `SELECT id, name, scope, owner, role, "tokenHash" AS token_hash, "revokedAt" AS revoked_at FROM "ApiToken" WHERE "tokenHash" = $1`,
    [hash],
  );
  type Row = { id: string; name: string; scope: TokenScope; owner: string; role: TokenRole; token_hash: string; revoked_at: Date | null };
  const row = r.rows[0] as Row | undefined;
  // The lookup is by hash (an index); the constant-time compare guards against any future non-exact lookup.
  if (!row || !timingSafeEqual(Buffer.from(row.token_hash, 'hex'), Buffer.from(hash, 'hex'))) {
    throw new SlimboardError('unauthorized', 'API token is not valid', { status: 401 });
  }
  if (row.revoked_at) throw new SlimboardError('unauthorized', `API token "${row.name}" was revoked`, { status: 401 });
  if (row.scope === 'worker' && !options.allowWorker) {
    throw new SlimboardError(
      'forbidden',
      `API token "${row.name}" is a worker token: it can fetch artifacts for measuring, not register, re-run or delete runs (create a ` +
        `full token with \`slimboard token create --name NAME\`)`,
      { status: 403 },
    );
  }
  await db.query(`UPDATE "ApiToken" SET "lastUsedAt" = now() WHERE id = $1`, [row.id]);
  return { id: row.id, name: row.name, scope: row.scope, owner: row.owner, role: row.role };
}

export async function revokeApiToken(db: Queryable, idOrPrefix: string): Promise<number> {
  const r = await db.query(
    `UPDATE "ApiToken" SET "revokedAt" = now() WHERE (id::text = $1 OR "tokenPrefix" = $1) AND "revokedAt" IS NULL`,
    [idOrPrefix],
  );
  return r.rowCount ?? 0;
}

export interface TokenListItem {
  id: string;
  name: string;
  prefix: string;
  scope: TokenScope;
  owner: string;
  role: TokenRole;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function listApiTokens(db: Queryable): Promise<TokenListItem[]> {
  const r = await db.query(
    `SELECT id, name, scope, owner, role, "tokenPrefix" AS token_prefix, "createdAt" AS created_at, "lastUsedAt" AS last_used_at,
            "revokedAt" AS revoked_at
       FROM "ApiToken" ORDER BY "createdAt"`,
  );
  return r.rows.map((x) => ({
    id: x.id,
    name: x.name,
    prefix: x.token_prefix,
    scope: x.scope,
    owner: x.owner,
    role: x.role,
    createdAt: x.created_at,
    lastUsedAt: x.last_used_at,
    revokedAt: x.revoked_at,
  }));
}
