import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { artifactStoreContract } from '@/tests/artifacts/artifact-store-contract';
import { parseRangeHeader } from './http-range';
import { LocalDiskArtifactStore } from './local-disk-store';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'slimboard-artifacts-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function chunks(...parts: string[]): Readable {
  return Readable.from(parts.map((p) => Buffer.from(p)));
}

describe('LocalDiskArtifactStore: the store contract', () => {
  artifactStoreContract(async () => {
    const store = new LocalDiskArtifactStore(root);
    return { store, leftovers: async () => fs.readdir(path.join(root, 'tmp')).catch(() => []) };
  });
});

describe('LocalDiskArtifactStore', () => {
  it('stores by sha256 and reports the size', async () => {
    const store = new LocalDiskArtifactStore(root);
    const put = await store.put(chunks('hello ', 'world'), { maxBytes: 100 });
    expect(put.sha256).toBe(createHash('sha256').update('hello world').digest('hex'));
    expect(put).toMatchObject({ sizeBytes: 11, created: true });
    expect(await text(store.openRead(put.sha256))).toBe('hello world');
    expect(await store.rehash(put.sha256)).toBe(put.sha256);
  });

  it('stores the same bytes once', async () => {
    const store = new LocalDiskArtifactStore(root);
    const a = await store.put(chunks('same'), { maxBytes: 100 });
    const b = await store.put(chunks('sa', 'me'), { maxBytes: 100 });
    expect(b).toEqual({ ...a, created: false });
    const files = await fs.readdir(path.join(root, 'sha256', a.sha256.slice(0, 2), a.sha256.slice(2, 4)));
    expect(files).toEqual([a.sha256]);
    expect(await fs.readdir(path.join(root, 'tmp'))).toEqual([]);
  });

  it('EXPECTED FAILURE: more bytes than maxBytes -> 413 and nothing left behind', async () => {
    const store = new LocalDiskArtifactStore(root);
    await expect(store.put(chunks('12345', '6'), { maxBytes: 5 })).rejects.toMatchObject({ code: 'too_large', status: 413 });
    expect(await fs.readdir(path.join(root, 'tmp'))).toEqual([]);
  });

  it('EXPECTED FAILURE: a source that errors halfway leaves nothing behind', async () => {
    const store = new LocalDiskArtifactStore(root);
    async function* cut() {
      yield Buffer.from('first half');
      throw new Error('connection reset');
    }
    await expect(store.put(cut(), { maxBytes: 100 })).rejects.toThrow(/connection reset/);
    expect(await fs.readdir(path.join(root, 'tmp'))).toEqual([]);
    await expect(fs.readdir(path.join(root, 'sha256'))).rejects.toThrow();
  });

  it('delete removes the shard folders it leaves empty, and only those', async () => {
    const store = new LocalDiskArtifactStore(root);
    const a = await store.put(chunks('first'), { maxBytes: 100 });
    // A second key in the same top-level shard (same first two hex digits) keeps that folder alive.
    let other = 'x';
    for (let i = 0; createHash('sha256').update(other).digest('hex').slice(0, 2) !== a.sha256.slice(0, 2); i++) other = `x${i}`;
    const b = await store.put(chunks(other), { maxBytes: 100 });
    expect(b.sha256.slice(0, 2)).toBe(a.sha256.slice(0, 2));
    const top = path.join(root, 'sha256', a.sha256.slice(0, 2));
    await store.delete(a.sha256);
    const left = await fs.readdir(top);
    expect(left).toContain(b.sha256.slice(2, 4));
    if (a.sha256.slice(2, 4) !== b.sha256.slice(2, 4)) expect(left).not.toContain(a.sha256.slice(2, 4));
    await store.delete(b.sha256);
    expect(await fs.readdir(path.join(root, 'sha256'))).toEqual([]);
    await store.delete(b.sha256); // deleting what is gone is fine
    // The store still works after its shard folders went away.
    expect((await store.put(chunks('first'), { maxBytes: 100 })).created).toBe(true);
  });

  it('reads an inclusive byte range', async () => {
    const store = new LocalDiskArtifactStore(root);
    const put = await store.put(chunks('0123456789'), { maxBytes: 100 });
    expect(await text(store.openRead(put.sha256, { start: 2, end: 4 }))).toBe('234');
  });

  it('BAD CALL: a key that is not a sha256 never becomes a path', async () => {
    const store = new LocalDiskArtifactStore(root);
    expect(() => store.openRead('../../etc/passwd')).toThrow(/64 lower-hex/);
    await expect(store.stat('..')).rejects.toThrow(/64 lower-hex/);
  });
});

describe('parseRangeHeader', () => {
  it('hand-checked cases on a 10-byte resource', () => {
    expect(parseRangeHeader('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(parseRangeHeader('bytes=2-', 10)).toEqual({ start: 2, end: 9 });
    expect(parseRangeHeader('bytes=-3', 10)).toEqual({ start: 7, end: 9 }); // last 3 bytes: 7,8,9
    expect(parseRangeHeader('bytes=5-100', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRangeHeader('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRangeHeader('bytes=-0', 10)).toBe('unsatisfiable');
    expect(parseRangeHeader('bytes=0-1,3-4', 10)).toBeNull();
    expect(parseRangeHeader('items=0-1', 10)).toBeNull();
    expect(parseRangeHeader(null, 10)).toBeNull();
  });

  it('property: a satisfiable range always lies inside the resource', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.nat(), fc.option(fc.nat()), (size, a, b) => {
        const r = parseRangeHeader(`bytes=${a}-${b ?? ''}`, size);
        if (r && r !== 'unsatisfiable') {
          expect(r.start).toBeGreaterThanOrEqual(0);
          expect(r.end).toBeLessThan(size);
          expect(r.start).toBeLessThanOrEqual(r.end);
        }
      }),
    );
  });
});
