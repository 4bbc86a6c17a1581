/**
 * Upload memory benchmark: stream a large multipart upload (default 1 GiB) into POST /api/runs'
 * handler running in a plain Node HTTP server, and print how much the SERVER process's memory
 * (RSS) grew while receiving it. The target is < 100 MB for 1 GiB: uploads stream to disk through
 * the sha256 hasher with constant memory.
 *
 *   npx tsx tools/bench/upload-memory.ts [--mib 1024]
 *
 * Uses DATABASE_URL's server (or a private embedded PostgreSQL on port 3291) with a throwaway
 * database; the client runs in a child process so its buffers are not counted. The uploaded bytes
 * are not an ONNX model, so the run ends refused (after the upload) and the file is removed.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createApiToken } from '../../lib/auth/api-tokens';
import { defineApiRoute } from '../../lib/http/api-route';
import { runRoutes } from '../../lib/http/run-routes';
import { createPipelineFixture, tinyMetadata } from '../../tests/pipeline/pipeline-fixture';

const PORT = 3250;
const { values } = parseArgs({ options: { mib: { type: 'string', default: '1024' }, client: { type: 'boolean', default: false }, token: { type: 'string' } } });
const mib = Number(values.mib);

if (values.client) {
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
  const req = http.request({ host: '127.0.0.1', port: PORT, method: 'POST', path: '/api/runs', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': total, authorization: `Bearer ${values.token}` } });
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
  const f = await createPipelineFixture('bench');
  const token = (await createApiToken(f.pipeline.pool, 'bench')).token;
  const api = runRoutes(defineApiRoute(async () => f.pipeline), { uploadMaxBytes: () => 2 * 1024 ** 3 });
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
  const client = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--client', '--mib', String(mib), '--token', token], { stdio: ['ignore', 'pipe', 'inherit'] });
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
}
