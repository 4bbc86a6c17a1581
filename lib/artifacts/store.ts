/**
 * The artifact store: model files kept by content (sha256). One small interface, so that an
 * S3-compatible backend can sit beside the local-disk one later; callers never see file paths
 * chosen by users, only lower-hex sha256 keys.
 */
import type { Readable } from 'node:stream';

/** Byte range, inclusive at both ends (HTTP Range semantics: `bytes=start-end`). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface StoredArtifact {
  /** Lower-hex sha256 of the content: the key. */
  sha256: string;
  sizeBytes: number;
  /** False when identical bytes were already stored (the upload was deduplicated). */
  created: boolean;
}

export interface PutOptions {
  /** Refuse (SlimboardError 'too_large', status 413) as soon as more than this many bytes arrive. */
  maxBytes: number;
  /** Called with the running byte count while streaming (for progress). */
  onProgress?: (receivedBytes: number) => void;
}

export interface ArtifactStore {
  /** Stream `source` into the store with constant memory; hashes while writing. */
  put(source: Readable | AsyncIterable<Uint8Array>, options: PutOptions): Promise<StoredArtifact>;
  /** Size of a stored artifact, or null when absent. */
  stat(sha256: string): Promise<{ sizeBytes: number } | null>;
  /** Read the content (or an inclusive byte range of it). */
  openRead(sha256: string, range?: ByteRange): Readable;
  /**
   * A local file path holding the content, for readers that need one (onnxruntime). The local
   * backend returns its own file; a remote backend would download to a cache first.
   */
  localPath(sha256: string): Promise<string>;
  /** Recompute the sha256 of what is stored (workers do this before measuring). */
  rehash(sha256: string): Promise<string>;
  delete(sha256: string): Promise<void>;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
