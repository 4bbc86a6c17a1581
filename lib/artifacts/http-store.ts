import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { SlimboardError } from '../errors';
import { sha256OfFile, type ArtifactCache } from './artifact-cache';
import { SHA256_HEX, type ArtifactStore, type ByteRange, type StoredArtifact } from './store';

/**
 * Read-only backend for workers that share neither disk nor object store with the web app: artifacts
 * come from the app's own download route, `GET|HEAD <baseUrl>/api/artifacts/<sha256>` (Range supported),
 * with `Authorization: Bearer <token>` when a token is set. Every download lands in the sha256-verified
 * cache first, so a damaged or replaced transfer is refused, never measured. Writes are refused: a worker
 * only reads models and datasets.
 */
export class HttpArtifactStore implements ArtifactStore {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly token: string | undefined,
    private readonly cache: ArtifactCache,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  private url(sha256: string): string {
    if (!SHA256_HEX.test(sha256))
      throw new SlimboardError('bad_sha256', `artifact key must be 64 lower-hex characters, got "${sha256.slice(0, 80)}"`);
    return `${this.baseUrl}/api/artifacts/${sha256}`;
  }

  private async request(method: 'GET' | 'HEAD', sha256: string, range?: ByteRange): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (range) headers.range = `bytes=${range.start}-${range.end}`;
    let res: Response;
    try {
      res = await fetch(this.url(sha256), { method, headers });
    } catch (e) {
      throw new SlimboardError(
        'store_error',
        `cannot reach ${this.baseUrl} for artifact ${sha256}: ${(e as Error).message} (check SLIMBOARD_REMOTE_URL and the network)`,
        { status: 502, cause: e },
      );
    }
    if (res.status === 404) return res;
    if (res.status === 401 || res.status === 403) {
      throw new SlimboardError('store_error', `${this.baseUrl} refused the artifact download (${res.status}): check SLIMBOARD_API_TOKEN`, {
        status: 502,
      });
    }
    if (!res.ok) throw new SlimboardError('store_error', `${this.baseUrl} answered ${res.status} for artifact ${sha256}`, { status: 502 });
    return res;
  }

  async put(): Promise<StoredArtifact> {
    throw new SlimboardError(
      'read_only_store',
      'this process reads artifacts over HTTP (SLIMBOARD_REMOTE_URL) and cannot store new ones: upload through the web app or `submit ' +
        '--server`',
    );
  }

  async stat(sha256: string): Promise<{ sizeBytes: number } | null> {
    const cached = await this.cache.lookup(sha256);
    if (cached) return { sizeBytes: cached.sizeBytes };
    const res = await this.request('HEAD', sha256);
    if (res.status === 404) return null;
    const length = res.headers.get('content-length');
    if (length === null)
      throw new SlimboardError('store_error', `${this.baseUrl} sent no Content-Length for artifact ${sha256}`, { status: 502 });
    return { sizeBytes: Number(length) };
  }

  openRead(sha256: string, range?: ByteRange): Readable {
    return this.cache.readThrough(sha256, range, async () => {
      const res = await this.request('GET', sha256, range);
      if (res.status === 404 || !res.body)
        throw new SlimboardError('artifact_missing', `artifact ${sha256} is not in the store`, { status: 404 });
      return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
    });
  }

  async localPath(sha256: string): Promise<string> {
    return this.cache.ensure(sha256, async (tmp) => {
      const res = await this.request('GET', sha256);
      if (res.status === 404 || !res.body)
        throw new SlimboardError('artifact_missing', `artifact ${sha256} is not on ${this.baseUrl}`, { status: 404 });
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(tmp));
    });
  }

  async rehash(sha256: string): Promise<string> {
    return sha256OfFile(await this.localPath(sha256));
  }

  async delete(sha256: string): Promise<void> {
    // Only the local copy: the web app owns the artifact.
    await this.cache.remove(sha256);
  }
}
