import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { SlimboardError } from '../errors';
import { sha256OfFile, type ArtifactCache } from './artifact-cache';
import { createUploadMeter } from './upload-meter';
import { SHA256_HEX, type ArtifactStore, type ByteRange, type PutOptions, type StoredArtifact } from './store';

/**
 * S3-compatible backend (AWS S3 or any server speaking its protocol). Object layout under `prefix`:
 *   <prefix>/sha256/ab/cd/abcd…(64 hex)   content, keyed by its hash only
 *   <prefix>/incoming/<uuid>              an upload in flight (its hash is known only at the end)
 *
 * - put: one pass over the stream. Bytes are hashed, counted against maxBytes, sent as a multipart upload
 *   (8 MiB parts, 2 in flight: memory stays at about 16 MiB whatever the file size) and written through to
 *   the local cache. Then `incoming/<uuid>` is copied server-side to its content key and deleted. A single
 *   CopyObject handles objects up to 5 GiB, above SLIMBOARD_UPLOAD_MAX_BYTES' 2 GiB default.
 * - downloads go through Slimboard as ranged GETs (openRead), not presigned URLs: the same route, headers,
 *   Range/ETag semantics and access rules as local disk, and the bucket never needs to be reachable from
 *   browsers. The cost is that bytes pass through the web server (streamed, constant memory).
 * - localPath: a sha256-verified copy in the cache (ArtifactCache); rehash hashes that copy again.
 */
export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing slash ('' for the bucket root). */
  prefix: string;
}

/** `s3://bucket` or `s3://bucket/some/prefix` → location; anything else is a clear error. */
export function parseS3StoreUrl(url: string): S3Location {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url.trim());
  if (!m) {
    throw new SlimboardError(
      'bad_store_url',
      `SLIMBOARD_STORE_URL must look like s3://bucket or s3://bucket/prefix (bucket: 3-63 lower-case letters, digits, dots, hyphens); ` +
        `got "${url}"`,
    );
  }
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.split('/').some((part) => part === '..' || part === '.')) {
    throw new SlimboardError('bad_store_url', `SLIMBOARD_STORE_URL prefix must not contain "." or ".." segments; got "${url}"`);
  }
  return { bucket: m[1], prefix };
}

export const S3_PART_SIZE_BYTES = 8 * 1024 * 1024;
const S3_PARTS_IN_FLIGHT = 2;

export class S3ArtifactStore implements ArtifactStore {
  constructor(
    private readonly client: S3Client,
    readonly location: S3Location,
    private readonly cache: ArtifactCache,
  ) {}

  static create(location: S3Location, cache: ArtifactCache, config: S3ClientConfig): S3ArtifactStore {
    // Checksums only where the protocol requires them: S3-compatible servers differ in what they accept.
    const client = new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED', ...config });
    return new S3ArtifactStore(client, location, cache);
  }

  private key(...parts: string[]): string {
    return [this.location.prefix, ...parts].filter(Boolean).join('/');
  }

  contentKey(sha256: string): string {
    if (!SHA256_HEX.test(sha256))
      throw new SlimboardError('bad_sha256', `artifact key must be 64 lower-hex characters, got "${sha256.slice(0, 80)}"`);
    return this.key('sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(source: Readable | AsyncIterable<Uint8Array>, options: PutOptions): Promise<StoredArtifact> {
    const incomingKey = this.key('incoming', randomUUID());
    const cacheTmp = await this.cache.tempPath();
    const cacheFile = createWriteStream(cacheTmp, { flags: 'wx' });
    const meter = createUploadMeter(options, {
      write: (chunk, done) => writeWithBackpressure(cacheFile, chunk, done),
      end: (done) => cacheFile.end(() => done()),
    });
    const body = new PassThrough();
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.location.bucket, Key: incomingKey, Body: body, ContentType: 'application/octet-stream' },
      partSize: S3_PART_SIZE_BYTES,
      queueSize: S3_PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    const input = source instanceof Readable ? source : Readable.from(source);
    const [streamed, uploaded] = await Promise.allSettled([pipeline(input, meter.stream, body), upload.done()]);
    if (streamed.status === 'rejected' || uploaded.status === 'rejected') {
      cacheFile.destroy();
      await upload.abort().catch(() => undefined);
      await this.deleteKey(incomingKey).catch(() => undefined);
      await fs.rm(cacheTmp, { force: true });
      if (streamed.status === 'rejected') throw streamed.reason;
      throw s3Error('upload', incomingKey, (uploaded as PromiseRejectedResult).reason);
    }
    const { sha256, sizeBytes } = meter.result();
    try {
      const existing = await this.stat(sha256);
      let created = false;
      if (!existing || existing.sizeBytes !== sizeBytes) {
        await this.client
          .send(
            new CopyObjectCommand({
              Bucket: this.location.bucket,
              Key: this.contentKey(sha256),
              CopySource: copySource(this.location.bucket, incomingKey),
            }),
          )
          .catch((e) => {
            throw s3Error('copy', incomingKey, e);
          });
        created = true;
      }
      await this.cache.adopt(sha256, cacheTmp);
      return { sha256, sizeBytes, created };
    } finally {
      await this.deleteKey(incomingKey).catch(() => undefined);
      await fs.rm(cacheTmp, { force: true });
    }
  }

  async stat(sha256: string): Promise<{ sizeBytes: number } | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.contentKey(sha256) }));
      return { sizeBytes: Number(head.ContentLength ?? 0) };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw s3Error('stat', this.contentKey(sha256), e);
    }
  }

  openRead(sha256: string, range?: ByteRange): Readable {
    const key = this.contentKey(sha256);
    return this.cache.readThrough(sha256, range, async () => {
      let res;
      try {
        res = await this.client.send(
          new GetObjectCommand({ Bucket: this.location.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
        );
      } catch (e) {
        if (isNotFound(e)) throw new SlimboardError('artifact_missing', `artifact ${sha256} is not in the store`, { status: 404 });
        throw s3Error('read', key, e);
      }
      if (!(res.Body instanceof Readable))
        throw new SlimboardError('store_error', `object store returned no stream for ${key}`, { status: 502 });
      return res.Body;
    });
  }

  async localPath(sha256: string): Promise<string> {
    const key = this.contentKey(sha256);
    return this.cache.ensure(sha256, async (tmp) => {
      let res;
      try {
        res = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: key }));
      } catch (e) {
        if (isNotFound(e)) throw new SlimboardError('artifact_missing', `artifact ${sha256} is not in the store`, { status: 404 });
        throw s3Error('download', key, e);
      }
      if (!(res.Body instanceof Readable))
        throw new SlimboardError('store_error', `object store returned no stream for ${key}`, { status: 502 });
      await pipeline(res.Body, createWriteStream(tmp, { flags: 'w' }));
    });
  }

  async rehash(sha256: string): Promise<string> {
    return sha256OfFile(await this.localPath(sha256));
  }

  async delete(sha256: string): Promise<void> {
    await this.deleteKey(this.contentKey(sha256));
    await this.cache.remove(sha256);
  }

  private async deleteKey(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: key }));
    } catch (e) {
      if (!isNotFound(e)) throw s3Error('delete', key, e);
    }
  }
}

function writeWithBackpressure(file: WriteStream, chunk: Buffer, done: (err?: Error | null) => void): void {
  if (file.write(chunk)) {
    done();
    return;
  }
  const onDrain = () => {
    file.off('error', onError);
    done();
  };
  const onError = (e: Error) => {
    file.off('drain', onDrain);
    done(e);
  };
  file.once('drain', onDrain);
  file.once('error', onError);
}

/** CopySource is `bucket/key`, URL-encoded per segment. */
function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return err?.name === 'NotFound' || err?.name === 'NoSuchKey' || err?.$metadata?.httpStatusCode === 404;
}

/** An S3 failure as a Slimboard error that says what to check. */
function s3Error(operation: string, key: string, e: unknown): SlimboardError {
  const err = e as { name?: string; message?: string; code?: string } | undefined;
  const name = err?.name ?? 'Error';
  const hint =
    name === 'NoSuchBucket'
      ? 'the bucket in SLIMBOARD_STORE_URL does not exist: create it or fix the URL'
      : name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch'
        ? 'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and the bucket policy'
        : err?.code === 'ECONNREFUSED' || err?.code === 'ENOTFOUND'
          ? 'the object store is not reachable: check AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) and the network'
          : 'check the object store settings (SLIMBOARD_STORE_URL, AWS_* variables) and its logs';
  return new SlimboardError('store_error', `object store ${operation} of ${key} failed: ${name}: ${err?.message ?? String(e)} (${hint})`, {
    status: 502,
    cause: e,
  });
}
