import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { ArtifactCache } from './artifact-cache';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'slimboard-cache-test-'));
  return () => fs.rm(root, { recursive: true, force: true });
});

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const writer = (content: string) => async (tmp: string) => fs.writeFile(tmp, content);

async function setUsedAt(cache: ArtifactCache, key: string, ms: number): Promise<void> {
  await fs.utimes(cache.entryPath(key), ms / 1000, ms / 1000);
}

describe('ArtifactCache', () => {
  it('downloads once, then hits; the entry holds the verified bytes', async () => {
    const cache = new ArtifactCache({ root, maxBytes: 1000 });
    let downloads = 0;
    const dl = async (tmp: string) => {
      downloads++;
      await fs.writeFile(tmp, 'abc');
    };
    const [a, b] = await Promise.all([cache.ensure(sha('abc'), dl), cache.ensure(sha('abc'), dl)]);
    expect(a).toBe(b);
    await cache.ensure(sha('abc'), dl);
    expect(downloads).toBe(1);
    expect(await fs.readFile(a, 'utf8')).toBe('abc');
    expect(await fs.readdir(path.join(root, 'tmp'))).toEqual([]);
  });

  it('EXPECTED FAILURE: bytes that do not hash to the key are refused and not kept', async () => {
    const cache = new ArtifactCache({ root, maxBytes: 1000 });
    await expect(cache.ensure(sha('expected'), writer('tampered'))).rejects.toMatchObject({ code: 'artifact_corrupt' });
    expect(await cache.lookup(sha('expected'))).toBeNull();
    expect(await fs.readdir(path.join(root, 'tmp'))).toEqual([]);
  });

  it('EXPECTED FAILURE: a failed download leaves nothing', async () => {
    const cache = new ArtifactCache({ root, maxBytes: 1000 });
    const failing = async (tmp: string) => {
      await fs.writeFile(tmp, 'half');
      throw new Error('connection reset');
    };
    await expect(cache.ensure(sha('x'), failing)).rejects.toThrow(/connection reset/);
    expect(await fs.readdir(path.join(root, 'tmp'))).toEqual([]);
  });

  it('hand-checked LRU: limit 10 bytes, entries of 4 bytes used at t=1,2,3 s: adding a 4th evicts the two oldest', async () => {
    const cache = new ArtifactCache({ root, maxBytes: 10, minAgeMs: 0 });
    for (const [i, s] of ['aaaa', 'bbbb', 'cccc'].entries()) {
      await cache.ensure(sha(s), writer(s));
      await setUsedAt(cache, sha(s), (i + 1) * 1000);
    }
    // 12 bytes > 10 already: the third insert evicted 'aaaa' (oldest); now 8 bytes.
    expect(await cache.lookup(sha('aaaa'))).toBeNull();
    await setUsedAt(cache, sha('bbbb'), 2000);
    await setUsedAt(cache, sha('cccc'), 3000);
    await cache.ensure(sha('dddd'), writer('dddd'));
    expect(await cache.lookup(sha('bbbb'))).toBeNull();
    expect(await cache.lookup(sha('cccc'))).not.toBeNull();
    expect(await cache.lookup(sha('dddd'))).not.toBeNull();
  });

  it('degenerate: an entry larger than the limit is kept (it is the one being used)', async () => {
    const cache = new ArtifactCache({ root, maxBytes: 2, minAgeMs: 0 });
    const p = await cache.ensure(sha('large'), writer('large'));
    expect(await fs.readFile(p, 'utf8')).toBe('large');
  });

  it('recently used entries survive eviction even over the limit', async () => {
    const cache = new ArtifactCache({ root, maxBytes: 4, minAgeMs: 60_000 });
    await cache.ensure(sha('aaaa'), writer('aaaa'));
    await cache.ensure(sha('bbbb'), writer('bbbb'));
    expect(await cache.lookup(sha('aaaa'))).not.toBeNull();
  });

  it('property: after any sequence of inserts of old entries the total is within the limit or only the newest remains', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 60 }), async (items, maxBytes) => {
        const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'slimboard-cache-prop-'));
        try {
          const cache = new ArtifactCache({ root: dir, maxBytes, minAgeMs: 0 });
          let last = '';
          for (const [i, s] of items.entries()) {
            last = await cache.ensure(sha(s), writer(s));
            await fs.utimes(last, i + 1, i + 1);
          }
          const entries = await cache.list();
          const total = entries.reduce((t, e) => t + e.sizeBytes, 0);
          expect(total <= maxBytes || (entries.length === 1 && entries[0].path === last)).toBe(true);
          expect(entries.some((e) => e.path === last)).toBe(true);
        } finally {
          await fs.rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  });
});
