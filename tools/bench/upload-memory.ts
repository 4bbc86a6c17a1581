/**
 * Upload memory benchmark: stream a large multipart upload (default 1 GiB) into POST /api/runs'
 * handler running in a plain Node HTTP server, and print how much the SERVER process's memory
 * (RSS) grew while receiving it. The target is < 100 MB for 1 GiB: uploads stream to disk through
 * the sha256 hasher with constant memory.
 *
 *   npx tsx tools/bench/upload-memory.ts [--mib 1024] [--store local|s3]
 *
 * `--store s3` stores through the S3 backend into an s3rver (tests/setup/s3-server.ts) that runs in its
 * own child process, so only Slimboard's side of the upload (multipart parts in flight, the cache copy) is
 * counted.
 * Uses DATABASE_URL's server (or a private embedded PostgreSQL on port 3291) with a throwaway
 * database; the client runs in a child process so its buffers are not counted. The uploaded bytes
 * are not an ONNX model, so the run ends refused (after the upload) and the file is removed.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { Readable } from 'node:stream';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ArtifactCache } from '../../lib/artifacts/artifact-cache';
import { S3ArtifactStore, parseS3StoreUrl } from '../../lib/artifacts/s3-store';
import type { ArtifactStore } from '../../lib/artifacts/store';
import { createApiToken } from '../../lib/auth/api-tokens';
import { defineApiRoute } from '../../lib/http/api-route';
import { runRoutes } from '../../lib/http/run-routes';
import { createPipelineFixture, tinyMetadata } from '../../tests/pipeline/pipeline-fixture';
import { startTestS3Server } from '../../tests/setup/s3-server';

const PORT = 3250;
const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '1024' },
    client: { type: 'boolean', default: false },
    's3-server': { type: 'boolean', default: false },
    store: { type: 'string', default: 'local' },
    token: { type: 'string' },
  },
});
const mib = Number(values.mib);

if (values['s3-server']) {
  // Child: an S3-protocol server until stdin closes.
  const s3 = await startTestS3Server('slimboard-bench');
  process.stdout.write(JSON.stringify({ endpoint: s3.endpoint, bucket: s3.bucket }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => void s3.close().then(() => process.exit(0)));
} else if (values.client) {
  // Child: stream `mib` MiB as the file part of a multipart request.
  const boundary = 'slimboardbenchboundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="meta"\r\n\r\n${JSON.stringify(tinyMetadata())}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.onnx"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24; // binary, not text
  const total = head.length + mib * chunk.length + tail.length;
  const req = http.request({
    host: '127.0.0.1',
    port: PORT,
    method: 'POST',
    path: '/api/runs',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': total,
      authorization: `Bearer ${values.token}`,
    },
  });
  req.on('response', (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => {
      process.stdout.write(JSON.stringify({ status: res.statusCode, body: body.slice(0, 300) }));
    });
  });
  (async () => {
    req.write(head);
    for (let i = 0; i < mib; i++) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
    req.end(tail);
  })();
} else {
  if (values.store !== 'local' && values.store !== 's3') throw new Error(`--store must be local or s3, got ${values.store}`);
  let s3Child: ReturnType<typeof spawn> | undefined;
  let storeFor: ((dataDir: string) => ArtifactStore) | undefined;
  if (values.store === 's3') {
    s3Child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--s3-server'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => s3Child!.stdout!.once('data', (d) => resolve(String(d))));
    const { endpoint, bucket } = JSON.parse(line) as { endpoint: string; bucket: string };
    storeFor = (dataDir) =>
      S3ArtifactStore.create(
        parseS3StoreUrl(`s3://${bucket}/bench`),
        new ArtifactCache({ root: path.join(dataDir, 'cache', 'artifacts'), maxBytes: 4 * 1024 ** 3 }),
        {
          region: 'us-east-1',
          endpoint,
          forcePathStyle: true,
          credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        },
      );
  }
  const f = await createPipelineFixture('bench', {}, { store: storeFor });
  const token = (await createApiToken(f.pipeline.pool, 'bench')).token;
  const api = runRoutes(
    defineApiRoute(async () => f.pipeline),
    { uploadMaxBytes: () => 2 * 1024 ** 3 },
  );
  const server = http.createServer((req, res) => {
    const request = new Request(`http://127.0.0.1:${PORT}${req.url}`, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit);
    api.register(request, { params: Promise.resolve({}) }).then(async (response) => {
      res.writeHead(response.status, { 'content-type': 'application/json' });
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => server.listen(PORT, '127.0.0.1', r));
  global.gc?.();
  await new Promise((r) => setTimeout(r, 500));
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const client = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--client', '--mib', String(mib), '--token', token], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  client.stdout.on('data', (d) => (out += d));
  await new Promise((r) => client.on('close', r));
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const growthMb = (peak - baseline) / 1e6;
  const result = JSON.parse(out || '{}') as { status?: number; body?: string };
  console.log(
    JSON.stringify(
      {
        store: values.store,
        uploadedMiB: mib,
        seconds: Number(seconds.toFixed(2)),
        throughputMiBps: Number((mib / seconds).toFixed(1)),
        serverRssBaselineMb: Number((baseline / 1e6).toFixed(1)),
        serverRssPeakMb: Number((peak / 1e6).toFixed(1)),
        serverRssGrowthMb: Number(growthMb.toFixed(1)),
        targetGrowthMb: 100,
        withinTarget: growthMb <= 100,
        response: result,
      },
      null,
      2,
    ),
  );
  server.close();
  await f.close();
  s3Child?.stdin?.end();
}
