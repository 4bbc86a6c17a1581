import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import S3rver from '@20minutes/s3rver';

/**
 * A real S3-protocol server for tests: `@20minutes/s3rver` 4.0.4 (an npm dev dependency) on a free
 * loopback port, storing under a temp folder, with its fixed credentials S3RVER/S3RVER.
 *
 * Known quirk: it computes the signature of bucket-level requests over `/bucket` while
 * @aws-sdk/client-s3 signs `/bucket/`, so CreateBucket/ListObjects answer SignatureDoesNotMatch.
 * Object requests (PUT, multipart, GET with Range, HEAD, COPY, DELETE) sign identically. The bucket is
 * therefore created by the server's own `configureBuckets`, and Slimboard issues object requests only.
 */
export interface TestS3Server {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Environment for a Slimboard process that should use this server (prefix optional). */
  env(prefix?: string): Record<string, string>;
  /** Total bytes of objects stored (for tests that check what reached the server). */
  directory: string;
  close(): Promise<void>;
}

export async function startTestS3Server(bucket = 'slimboard-test'): Promise<TestS3Server> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'slimboard-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    directory,
    env: (prefix = 'artifacts') => ({
      SLIMBOARD_STORE_URL: `s3://${bucket}/${prefix}`,
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      SLIMBOARD_S3_FORCE_PATH_STYLE: '1',
    }),
    async close() {
      await server.close();
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
}
