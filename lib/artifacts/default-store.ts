import path from 'node:path';
import { getEnv, type TEnv } from '../env';
import { ArtifactCache } from './artifact-cache';
import { HttpArtifactStore } from './http-store';
import { LocalDiskArtifactStore } from './local-disk-store';
import { S3ArtifactStore, parseS3StoreUrl } from './s3-store';
import type { ArtifactStore } from './store';

let cached: { env: TEnv; store: ArtifactStore } | undefined;

/**
 * The process's artifact store, chosen by one setting:
 * - SLIMBOARD_STORE_URL=s3://bucket/prefix → S3-compatible object store (AWS_* variables);
 * - else SLIMBOARD_REMOTE_URL=http(s)://… → read-only over HTTP from a Slimboard web app (remote workers);
 * - else local disk under `<dataDir>/artifacts` (the default).
 * Remote backends keep a verified local cache under `<dataDir>/cache/artifacts`.
 */
export function getArtifactStore(): ArtifactStore {
  const env = getEnv();
  if (cached?.env !== env) cached = { env, store: artifactStoreFromEnv(env) };
  return cached.store;
}

export function artifactStoreFromEnv(env: TEnv): ArtifactStore {
  const cache = () =>
    new ArtifactCache({ root: path.join(env.dataDir, 'cache', 'artifacts'), maxBytes: env.SLIMBOARD_ARTIFACT_CACHE_MAX_BYTES });
  if (env.SLIMBOARD_STORE_URL) {
    const credentials =
      env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN }
        : undefined;
    return S3ArtifactStore.create(parseS3StoreUrl(env.SLIMBOARD_STORE_URL), cache(), {
      region: env.AWS_REGION,
      endpoint: env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL,
      forcePathStyle: env.SLIMBOARD_S3_FORCE_PATH_STYLE,
      credentials,
    });
  }
  if (env.SLIMBOARD_REMOTE_URL) return new HttpArtifactStore(env.SLIMBOARD_REMOTE_URL, env.SLIMBOARD_API_TOKEN, cache());
  return new LocalDiskArtifactStore(path.join(env.dataDir, 'artifacts'));
}
