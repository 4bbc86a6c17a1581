import { describe, expect, it } from 'vitest';
import { isSlimboardError } from '../errors';
import { assertMayWriteRun, defaultOwnerFor, parseOwnerHandle, type RunWriter } from './owners';

const alice: RunWriter = { name: 'alice laptop', owner: 'alice', role: 'user', scope: 'full' };
const admin: RunWriter = { name: 'ops', owner: 'ops', role: 'admin', scope: 'full' };
const device: RunWriter = { name: 'lab', owner: 'alice', role: 'user', scope: 'worker' };

function refusal(fn: () => void): { status: number; message: string; details: unknown } {
  try {
    fn();
  } catch (e) {
    if (isSlimboardError(e)) return { status: e.status, message: e.message, details: e.details };
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('owner handles', () => {
  it('a token name becomes its default owner: blanks and other characters as one "-", at most 64 characters', () => {
    expect(defaultOwnerFor('ci-bot')).toBe('ci-bot');
    expect(defaultOwnerFor('  e2e measured 17 ')).toBe('e2e-measured-17');
    expect(defaultOwnerFor('a  b')).toBe('a-b');
    expect(defaultOwnerFor('x'.repeat(100))).toHaveLength(64);
    expect(parseOwnerHandle(defaultOwnerFor('alice@lab.example  (desk)'))).toBe('alice@lab.example-desk-');
  });

  it('EXPECTED FAILURE: a handle with blanks, slashes, nothing or over 64 characters is refused, naming the field', () => {
    for (const bad of ['', 'a b', 'a/b', 'x'.repeat(65), 'ü']) {
      expect(refusal(() => parseOwnerHandle(bad, '--owner'))).toMatchObject({ status: 400, message: expect.stringMatching(/^--owner: .*1-64 letters/) });
    }
    expect(parseOwnerHandle('  alice.b_2@x-y  ')).toBe('alice.b_2@x-y');
  });
});

describe('who may delete or re-run a run', () => {
  it("a user token writes its owner's runs; an admin token any run", () => {
    expect(() => assertMayWriteRun(alice, 'delete', 'r1', 'alice')).not.toThrow();
    expect(() => assertMayWriteRun(admin, 'delete', 'r1', 'alice')).not.toThrow();
    expect(() => assertMayWriteRun(admin, 're-run', 'r1', 'local')).not.toThrow();
  });

  it("EXPECTED FAILURE: another owner's token is 403 with a sentence naming the run's owner and what to do", () => {
    const r = refusal(() => assertMayWriteRun({ ...alice, owner: 'bob', name: 'bob ci' }, 're-run', 'r1', 'alice'));
    expect(r.status).toBe(403);
    expect(r.details).toEqual({ owner: 'alice' });
    expect(r.message).toBe(
      'run r1 is owned by "alice"; token "bob ci" (owner "bob") can only re-run runs of "bob": use a token of owner "alice", ' +
        'or ask an admin (an admin token is made with `slimboard token create --admin`)',
    );
  });

  it('EXPECTED FAILURE: a worker token is 403 even on its own owner\'s runs', () => {
    const r = refusal(() => assertMayWriteRun(device, 'delete', 'r1', 'alice'));
    expect(r.status).toBe(403);
    expect(r.message).toMatch(/worker token: it cannot delete runs/);
  });

  it('owners are compared exactly (case matters: `Alice` is not `alice`)', () => {
    expect(refusal(() => assertMayWriteRun(alice, 'delete', 'r1', 'Alice')).status).toBe(403);
  });
});
