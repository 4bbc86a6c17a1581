import { z } from 'zod';
import { SlimboardError } from '../errors';

/**
 * Owners (docs/owners.md). Every run and every API token has an owner: a handle of 1-64 letters, digits
 * or . _ @ -. A token's runs get its owner; the local CLI's runs (`submit`, the demo zoo) get `local`
 * or `submit --owner`. A `user` token deletes and re-runs only its owner's runs; an `admin` token (made
 * only by `slimboard token create --admin`) any run; a `worker` token none.
 */

/** The owner of runs written by the local CLI without `--owner` (and of every run from before owners). */
export const LOCAL_OWNER = 'local';

export const ZOwnerHandle = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'an owner is 1-64 letters, digits or . _ @ - (no spaces)');
export type TOwnerHandle = z.infer<typeof ZOwnerHandle>;

export const TOKEN_ROLES = ['user', 'admin'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/** Parse an owner handle from any door; a bad one is a 400 naming the field. */
export function parseOwnerHandle(value: string, field = 'owner'): string {
  const r = ZOwnerHandle.safeParse(value);
  if (!r.success) throw new SlimboardError('bad_owner', `${field}: "${value.slice(0, 80)}" is not valid: ${r.error.issues[0].message}`);
  return r.data;
}

/** The owner a token gets without `--owner`: its name, each run of other characters as '-' (the migration backfills the same way). */
export function defaultOwnerFor(tokenName: string): string {
  return tokenName.trim().replace(/[^A-Za-z0-9_.@-]+/g, '-').slice(0, 64);
}

export interface RunWriter {
  name: string;
  owner: string;
  role: TokenRole;
  scope: 'full' | 'worker';
}

export type RunWrite = 'delete' | 're-run';

/**
 * May this token delete or re-run a run of `runOwner`? Throws a 403 that names the run's owner and what to do.
 * Pure: the caller reads the run's owner (in the transaction that then writes).
 */
export function assertMayWriteRun(token: RunWriter, action: RunWrite, runId: string, runOwner: string): void {
  if (token.scope === 'worker') {
    throw new SlimboardError(
      'forbidden',
      `API token "${token.name}" is a worker token: it cannot ${action} runs (use a full token of owner "${runOwner}" or an admin token)`,
      { status: 403 },
    );
  }
  if (token.role === 'admin' || token.owner === runOwner) return;
  throw new SlimboardError(
    'forbidden',
    `run ${runId} is owned by "${runOwner}"; token "${token.name}" (owner "${token.owner}") can only ${action} runs of "${token.owner}": ` +
      `use a token of owner "${runOwner}", or ask an admin (an admin token is made with \`slimboard token create --admin\`)`,
    { status: 403, details: { owner: runOwner } },
  );
}
