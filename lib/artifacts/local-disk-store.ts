import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SlimboardError } from '../errors';
import { sha256OfFile } from './artifact-cache';
import { createUploadMeter } from './upload-meter';
import { SHA256_HEX, type ArtifactStore, type ByteRange, type PutOptions, type StoredArtifact } from './store';

/**
 * Local-disk backend. Layout under `root`:
 *   sha256/ab/cd/abcd…(64 hex)   the content, read-only once written
 *   tmp/<uuid>                   uploads in flight (renamed into place when complete)
 * Shard folders exist only while they hold content: delete removes the ones it leaves empty.
 * The final name is derived from the hash only: nothing a user sends becomes a path.
 */
export class LocalDiskArtifactStore implements ArtifactStore {
  constructor(readonly root: string) {}

  private contentPath(sha256: string): string {
    if (!SHA256_HEX.test(sha256))
      throw new SlimboardError('bad_sha256', `artifact key must be 64 lower-hex characters, got "${sha256.slice(0, 80)}"`);
    return path.join(this.root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(source: Readable | AsyncIterable<Uint8Array>, options: PutOptions): Promise<StoredArtifact> {
    const tmpDir = path.join(this.root, 'tmp');
    await fs.mkdir(tmpDir, { recursive: true });
    const tmpPath = path.join(tmpDir, randomUUID());
    const meter = createUploadMeter(options);
    try {
      const input = source instanceof Readable ? source : Readable.from(source);
      await pipeline(input, meter.stream, createWriteStream(tmpPath, { flags: 'wx' }));
    } catch (e) {
      await fs.rm(tmpPath, { force: true });
      throw e;
    }
    const { sha256, sizeBytes } = meter.result();
    const finalPath = this.contentPath(sha256);
    await fs.mkdir(path.dirname(finalPath), { recursive: true });
    const existing = await this.stat(sha256);
    if (existing && existing.sizeBytes === sizeBytes) {
      await fs.rm(tmpPath, { force: true });
      return { sha256, sizeBytes, created: false };
    }
    await fs.chmod(tmpPath, 0o444);
    try {
      await fs.rename(tmpPath, finalPath);
    } catch (e) {
      // A delete of the last file in this shard removed the folder between our mkdir and rename: once more.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await fs.mkdir(path.dirname(finalPath), { recursive: true });
      await fs.rename(tmpPath, finalPath);
    }
    return { sha256, sizeBytes, created: true };
  }

  async stat(sha256: string): Promise<{ sizeBytes: number } | null> {
    try {
      const s = await fs.stat(this.contentPath(sha256));
      return { sizeBytes: s.size };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  openRead(sha256: string, range?: ByteRange): Readable {
    const file = createReadStream(this.contentPath(sha256), range ? { start: range.start, end: range.end } : {});
    const out = new PassThrough();
    // Not pipeline(): it would destroy `out` with the raw ENOENT before this mapping could run.
    file.on('error', (e: NodeJS.ErrnoException) =>
      out.destroy(
        e.code === 'ENOENT' ? new SlimboardError('artifact_missing', `artifact ${sha256} is not in the store`, { status: 404 }) : e,
      ),
    );
    return file.pipe(out);
  }

  async localPath(sha256: string): Promise<string> {
    const p = this.contentPath(sha256);
    if (!(await this.stat(sha256))) throw new SlimboardError('artifact_missing', `artifact ${sha256} is not in the store`, { status: 404 });
    return p;
  }

  async rehash(sha256: string): Promise<string> {
    return sha256OfFile(this.contentPath(sha256));
  }

  /** Remove the content, then its shard folders (`ab/cd`, `ab`) when they are left empty. */
  async delete(sha256: string): Promise<void> {
    const file = this.contentPath(sha256);
    await fs.rm(file, { force: true });
    for (const dir of [path.dirname(file), path.dirname(path.dirname(file))]) {
      try {
        await fs.rmdir(dir);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOENT') return;
        throw e;
      }
    }
  }
}
