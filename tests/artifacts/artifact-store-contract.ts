import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { expect, it } from 'vitest';
import type { ArtifactStore } from '@/lib/artifacts/store';

/**
 * Behaviour every writable ArtifactStore backend must have; each backend's test file calls this with a
 * factory and a probe for leftovers (temp files, incoming objects) that a failed upload must not leave.
 */
export interface StoreUnderTest {
  store: ArtifactStore;
  /** Names of in-flight/temporary things still present (must be empty after any put, failed or not). */
  leftovers(): Promise<string[]>;
}

function chunks(...parts: (string | Buffer)[]): Readable {
  return Readable.from(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

export function artifactStoreContract(make: () => Promise<StoreUnderTest>): void {
  it('stores by sha256, reports the size, reads back, rehashes', async () => {
    const { store, leftovers } = await make();
    const put = await store.put(chunks('hello ', 'world'), { maxBytes: 100 });
    expect(put.sha256).toBe(createHash('sha256').update('hello world').digest('hex'));
    expect(put).toMatchObject({ sizeBytes: 11, created: true });
    expect(await store.stat(put.sha256)).toEqual({ sizeBytes: 11 });
    expect(await text(store.openRead(put.sha256))).toBe('hello world');
    expect(await store.rehash(put.sha256)).toBe(put.sha256);
    expect(await fs.readFile(await store.localPath(put.sha256), 'utf8')).toBe('hello world');
    expect(await leftovers()).toEqual([]);
  });

  it('stores the same bytes once', async () => {
    const { store, leftovers } = await make();
    const a = await store.put(chunks('same'), { maxBytes: 100 });
    const b = await store.put(chunks('sa', 'me'), { maxBytes: 100 });
    expect(b).toEqual({ ...a, created: false });
    expect(await leftovers()).toEqual([]);
  });

  it('streams a multi-part upload (20 MiB in 64 KiB chunks) and keeps every byte', async () => {
    const { store, leftovers } = await make();
    const chunk = Buffer.alloc(64 * 1024);
    const expected = createHash('sha256');
    async function* source() {
      for (let i = 0; i < 320; i++) {
        chunk.fill(i % 251);
        expected.update(chunk);
        yield Buffer.from(chunk);
      }
    }
    const put = await store.put(source(), { maxBytes: 64 * 1024 * 1024 });
    expect(put.sha256).toBe(expected.digest('hex'));
    expect(put.sizeBytes).toBe(20 * 1024 * 1024);
    expect(await store.rehash(put.sha256)).toBe(put.sha256);
    const tail = await text(store.openRead(put.sha256, { start: 20 * 1024 * 1024 - 2, end: 20 * 1024 * 1024 - 1 }));
    expect(Buffer.from(tail, 'latin1')).toEqual(Buffer.from([319 % 251, 319 % 251]));
    expect(await leftovers()).toEqual([]);
  });

  it('EXPECTED FAILURE: more bytes than maxBytes -> 413 and nothing left behind', async () => {
    const { store, leftovers } = await make();
    await expect(store.put(chunks('12345', '6'), { maxBytes: 5 })).rejects.toMatchObject({ code: 'too_large', status: 413 });
    expect(await leftovers()).toEqual([]);
  });

  it('EXPECTED FAILURE: a source that errors halfway leaves nothing behind', async () => {
    const { store, leftovers } = await make();
    async function* cut() {
      yield Buffer.from('first half');
      throw new Error('connection reset');
    }
    await expect(store.put(cut(), { maxBytes: 100 })).rejects.toThrow(/connection reset/);
    expect(await leftovers()).toEqual([]);
    expect(await store.stat(createHash('sha256').update('first half').digest('hex'))).toBeNull();
  });

  it('reads an inclusive byte range', async () => {
    const { store } = await make();
    const put = await store.put(chunks('0123456789'), { maxBytes: 100 });
    expect(await text(store.openRead(put.sha256, { start: 2, end: 4 }))).toBe('234');
  });

  it('deletes; a missing artifact stats as null and reads as 404', async () => {
    const { store } = await make();
    const put = await store.put(chunks('to be deleted'), { maxBytes: 100 });
    await store.delete(put.sha256);
    expect(await store.stat(put.sha256)).toBeNull();
    await expect(text(store.openRead(put.sha256))).rejects.toMatchObject({ status: 404 });
    await expect(store.localPath(put.sha256)).rejects.toMatchObject({ status: 404 });
  });

  it('BAD CALL: a key that is not a sha256 never becomes a path or object key', async () => {
    const { store } = await make();
    expect(() => store.openRead('../../etc/passwd')).toThrow(/64 lower-hex/);
    await expect(store.stat('..')).rejects.toThrow(/64 lower-hex/);
  });
}
