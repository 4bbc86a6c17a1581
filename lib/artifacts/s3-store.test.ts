import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { artifactStoreContract } from '@/tests/artifacts/artifact-store-contract';
import { startTestS3Server, type TestS3Server } from '@/tests/setup/s3-server';
import { ArtifactCache } from './artifact-cache';
import { S3ArtifactStore, parseS3StoreUrl } from './s3-store';

let s3: TestS3Server;
let cacheRoot: string;
let prefixCounter = 0;

beforeAll(async () => {
  s3 = await startTestS3Server();
});
afterAll(async () => {
  await s3?.close();
});
beforeEach(async () => {
  cacheRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'slimboard-cache-'));
  return () => fs.rm(cacheRoot, { recursive: true, force: true });
});

function makeStore(prefix: string): S3ArtifactStore {
  return S3ArtifactStore.create(parseS3StoreUrl(`s3://${s3.bucket}/${prefix}`), new ArtifactCache({ root: cacheRoot, maxBytes: 1024 ** 3 }), {
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
}

/** Object keys under a prefix, listed by the server's own files (s3rver refuses bucket-level listing signatures; see s3-server.ts). */
async function keysOnServer(prefix: string): Promise<string[]> {
  const root = path.join(s3.directory, s3.bucket, prefix);
  const out: string[] = [];
  async function walk(dir: string, rel: string): Promise<void> {
    for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(path.join(dir, e.name), `${rel}${e.name}/`);
      else if (e.name.endsWith('._S3rver_object')) out.push(`${rel}${e.name.replace(/\._S3rver_object$/, '')}`);
    }
  }
  await walk(root, '');
  return out.sort();
}

describe('S3ArtifactStore against s3rver: the store contract', () => {
  artifactStoreContract(async () => {
    const prefix = `contract-${++prefixCounter}`;
    const store = makeStore(prefix);
    return {
      store,
      leftovers: async () => [
        ...(await keysOnServer(prefix)).filter((k) => k.startsWith('incoming/')),
        ...(await fs.readdir(path.join(cacheRoot, 'tmp')).catch(() => [])),
      ],
    };
  });
});

describe('S3ArtifactStore', () => {
  it('lays objects out by hash under the prefix and keeps a verified cache copy', async () => {
    const store = makeStore('layout');
    const put = await store.put(Readable.from([Buffer.from('layout check')]), { maxBytes: 100 });
    expect(await keysOnServer('layout')).toEqual([`sha256/${put.sha256.slice(0, 2)}/${put.sha256.slice(2, 4)}/${put.sha256}`]);
    expect(await fs.readFile(path.join(cacheRoot, 'sha256', put.sha256.slice(0, 2), put.sha256), 'utf8')).toBe('layout check');
  });

  it('a second store with an empty cache downloads, verifies and caches', async () => {
    const writer = makeStore('shared');
    const put = await writer.put(Readable.from([Buffer.from('shared bytes')]), { maxBytes: 100 });
    const otherCache = await fs.mkdtemp(path.join(os.tmpdir(), 'slimboard-cache-'));
    try {
      const reader = S3ArtifactStore.create(writer.location, new ArtifactCache({ root: otherCache, maxBytes: 1024 }), {
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      });
      const local = await reader.localPath(put.sha256);
      expect(local.startsWith(otherCache)).toBe(true);
      expect(await fs.readFile(local, 'utf8')).toBe('shared bytes');
    } finally {
      await fs.rm(otherCache, { recursive: true, force: true });
    }
  });

  it('EXPECTED FAILURE: a wrong secret names the variables to check', async () => {
    const bad = S3ArtifactStore.create(parseS3StoreUrl(`s3://${s3.bucket}/x`), new ArtifactCache({ root: cacheRoot, maxBytes: 1024 }), {
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'wrong' },
    });
    await expect(bad.put(Readable.from([Buffer.from('x')]), { maxBytes: 10 })).rejects.toThrow(/AWS_SECRET_ACCESS_KEY/);
  });

  it('EXPECTED FAILURE: an unreachable endpoint says so', async () => {
    const bad = S3ArtifactStore.create(parseS3StoreUrl(`s3://${s3.bucket}/x`), new ArtifactCache({ root: cacheRoot, maxBytes: 1024 }), {
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      maxAttempts: 1,
    });
    await expect(bad.stat('a'.repeat(64))).rejects.toThrow(/not reachable|AWS_ENDPOINT_URL/);
  });

  it('the test server really refuses bucket-level requests signed by the SDK (why buckets are pre-created)', async () => {
    const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await expect(client.send(new ListObjectsV2Command({ Bucket: s3.bucket }))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
  });
});

describe('parseS3StoreUrl', () => {
  it('hand-checked URLs', () => {
    expect(parseS3StoreUrl('s3://models')).toEqual({ bucket: 'models', prefix: '' });
    expect(parseS3StoreUrl('s3://models/')).toEqual({ bucket: 'models', prefix: '' });
    expect(parseS3StoreUrl('s3://my.bucket-1/team/a/')).toEqual({ bucket: 'my.bucket-1', prefix: 'team/a' });
  });

  it('EXPECTED FAILURE: not an s3 URL, a bad bucket or a dot segment', () => {
    expect(() => parseS3StoreUrl('https://models')).toThrow(/s3:\/\/bucket/);
    expect(() => parseS3StoreUrl('s3://UPPER')).toThrow(/lower-case/);
    expect(() => parseS3StoreUrl('s3://okay/../x')).toThrow(/"\.\."/);
  });

  it('property: a valid bucket and prefix round-trip', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/), fc.array(fc.stringMatching(/^[a-z0-9_]{1,8}$/), { maxLength: 4 }), (bucket, parts) => {
        expect(parseS3StoreUrl(`s3://${bucket}/${parts.join('/')}`)).toEqual({ bucket, prefix: parts.join('/') });
      }),
    );
  });
});
