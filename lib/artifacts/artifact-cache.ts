import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SlimboardError } from '../errors';
import { SHA256_HEX, type ByteRange } from './store';

/**
 * A local, sha256-verified copy of remote artifacts, bounded in size (least recently used goes first).
 *
 * Layout under `root`:
 *   sha256/ab/abcd…(64 hex)   verified content; its mtime is the last use (bumped on every hit)
 *   tmp/<uuid>                downloads in flight, renamed into place only after the hash matched
 *
 * Several processes may share one cache folder: every entry appears by an atomic rename, and a file
 * used in the last `minAgeMs` is never evicted (onnxruntime may still be reading it), so the cache
 * can exceed `maxBytes` for a while when everything in it is in use.
 */
export interface ArtifactCacheOptions {
  root: string;
  maxBytes: number;
  /** Entries used more recently than this are kept even over the limit (default 10 minutes). */
  minAgeMs?: number;
}

export class ArtifactCache {
  private readonly inFlight = new Map<string, Promise<string>>();
  readonly root: string;
  readonly maxBytes: number;
  private readonly minAgeMs: number;

  constructor(o: ArtifactCacheOptions) {
    this.root = o.root;
    this.maxBytes = o.maxBytes;
    this.minAgeMs = o.minAgeMs ?? 10 * 60_000;
  }

  entryPath(sha256: string): string {
    if (!SHA256_HEX.test(sha256))
      throw new SlimboardError('bad_sha256', `artifact key must be 64 lower-hex characters, got "${sha256.slice(0, 80)}"`);
    return path.join(this.root, 'sha256', sha256.slice(0, 2), sha256);
  }

  /** A fresh temp path inside the cache (same file system as the entries, so a rename is atomic). */
  async tempPath(): Promise<string> {
    const dir = path.join(this.root, 'tmp');
    await fs.mkdir(dir, { recursive: true });
    return path.join(dir, randomUUID());
  }

  /** The cached file's path and size when present (and marks it used), else null. */
  async lookup(sha256: string): Promise<{ path: string; sizeBytes: number } | null> {
    const p = this.entryPath(sha256);
    try {
      const now = new Date();
      await fs.utimes(p, now, now);
      const s = await fs.stat(p);
      return { path: p, sizeBytes: s.size };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  /**
   * The path of a verified local copy: a hit, or `download(tmpPath)` writes the bytes, which must hash to
   * `sha256` (else 'artifact_corrupt' and nothing is kept). Concurrent calls for one key share a download.
   */
  async ensure(sha256: string, download: (tmpPath: string) => Promise<void>): Promise<string> {
    const hit = await this.lookup(sha256);
    if (hit) return hit.path;
    const pending = this.inFlight.get(sha256);
    if (pending) return pending;
    const job = (async () => {
      const tmp = await this.tempPath();
      try {
        await download(tmp);
        return await this.adopt(sha256, tmp);
      } finally {
        await fs.rm(tmp, { force: true });
      }
    })().finally(() => this.inFlight.delete(sha256));
    this.inFlight.set(sha256, job);
    return job;
  }

  /** Move a file written under tempPath() into the cache after checking its hash; returns the entry path. */
  async adopt(sha256: string, tmpPath: string): Promise<string> {
    const actual = await sha256OfFile(tmpPath);
    if (actual !== sha256) {
      await fs.rm(tmpPath, { force: true });
      throw new SlimboardError(
        'artifact_corrupt',
        `downloaded artifact hashes to ${actual}, expected ${sha256}: the remote copy is damaged or was replaced`,
      );
    }
    const dest = this.entryPath(sha256);
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await fs.chmod(tmpPath, 0o444);
    await fs.rename(tmpPath, dest);
    await this.evict(dest);
    return dest;
  }

  /**
   * The content (or an inclusive range) as a stream: from the cached copy when there is one, else from
   * `openRemote` (which throws a SlimboardError for what it cannot serve). Errors arrive on the stream.
   */
  readThrough(sha256: string, range: ByteRange | undefined, openRemote: () => Promise<Readable>): Readable {
    const out = new PassThrough();
    void (async () => {
      const cached = await this.lookup(sha256);
      return cached ? createReadStream(cached.path, range ? { start: range.start, end: range.end } : {}) : openRemote();
    })().then(
      (src) => pipeline(src, out).catch((e: unknown) => out.destroy(e as Error)),
      (e: unknown) => out.destroy(e as Error),
    );
    return out;
  }

  async remove(sha256: string): Promise<void> {
    await fs.rm(this.entryPath(sha256), { force: true });
  }

  /** Delete least recently used entries until the total is within maxBytes; `keep` is never deleted. */
  async evict(keep?: string): Promise<{ removedBytes: number; totalBytes: number }> {
    const entries = await this.list();
    let totalBytes = entries.reduce((s, e) => s + e.sizeBytes, 0);
    let removedBytes = 0;
    const now = Date.now();
    for (const e of entries.sort((a, b) => a.usedAtMs - b.usedAtMs)) {
      if (totalBytes <= this.maxBytes) break;
      if (e.path === keep || now - e.usedAtMs < this.minAgeMs) continue;
      await fs.rm(e.path, { force: true });
      totalBytes -= e.sizeBytes;
      removedBytes += e.sizeBytes;
    }
    return { removedBytes, totalBytes };
  }

  async list(): Promise<{ path: string; sizeBytes: number; usedAtMs: number }[]> {
    const out: { path: string; sizeBytes: number; usedAtMs: number }[] = [];
    const top = path.join(this.root, 'sha256');
    for (const shard of await readdirOrEmpty(top)) {
      for (const name of await readdirOrEmpty(path.join(top, shard))) {
        const p = path.join(top, shard, name);
        try {
          const s = await fs.stat(p);
          out.push({ path: p, sizeBytes: s.size, usedAtMs: s.mtimeMs });
        } catch {
          // removed by another process meanwhile
        }
      }
    }
    return out;
  }
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
