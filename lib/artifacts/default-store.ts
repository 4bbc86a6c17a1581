import path from 'node:path';
import { getEnv } from '../env';
import { LocalDiskArtifactStore } from './local-disk-store';
import type { ArtifactStore } from './store';

let cached: ArtifactStore | undefined;

/** The process's artifact store: local disk under `<dataDir>/artifacts` (the only backend today). */
export function getArtifactStore(): ArtifactStore {
  cached ??= new LocalDiskArtifactStore(path.join(getEnv().dataDir, 'artifacts'));
  return cached;
}

/** Tests switch data directories between cases. */
export function resetArtifactStoreForTests(): void {
  cached = undefined;
}
