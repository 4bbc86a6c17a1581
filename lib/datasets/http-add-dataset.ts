import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { SlimboardError, formatZodIssues } from '../errors';
import type { Pipeline } from '../jobs/pipeline';
import { unpackArchive } from './dataset-archive';
import { addDataset, ZDatasetAdd, type AddedDataset } from './dataset-registry';

/**
 * `POST /api/datasets?name=…&format=coco|voc|widerface[&split=…][&slug=…]` with a tar archive of the dataset
 * folder as the body (`tar -cf shapes.tar -C DIR .`, or `tar -cf shapes.tar DIR`: one top folder is stepped into)
 * and a full API token: the web counterpart of `slimboard dataset add DIR` with the same schema (ZDatasetAdd).
 *
 * The body is streamed to a temporary file (at most `maxBytes`, else 413), unpacked with the archive reader the
 * workers use (regular files and folders only, no path leaving the folder), then registered by `addDataset`,
 * which checks the layout of the declared format and stores its own deterministic archive: the same folder
 * gives the same sha256 whether it came through the CLI or the web. Temporary files are removed in every case.
 */
export async function handleAddDatasetRequest(request: Request, p: Pipeline, o: { maxBytes: number }): Promise<Response> {
  const query = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = ZDatasetAdd.safeParse(query);
  if (!parsed.success) {
    throw new SlimboardError(
      'bad_dataset_request',
      `dataset upload: ${formatZodIssues(parsed.error.issues)} ` +
        '(query parameters name, format = coco|voc|widerface, optional split and slug)',
    );
  }
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > o.maxBytes) throw tooLarge(o.maxBytes);
  if (!request.body)
    throw new SlimboardError('bad_dataset_request', 'dataset upload: the body must be a tar archive of the dataset folder');

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'slimboard-dataset-upload-'));
  try {
    const archive = path.join(tmp, 'upload.tar');
    let received = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        done(received > o.maxBytes ? tooLarge(o.maxBytes) : null, chunk);
      },
    });
    await streamPipeline(Readable.fromWeb(request.body as WebReadableStream<Uint8Array>), limit, createWriteStream(archive));
    if (received === 0)
      throw new SlimboardError('bad_dataset_request', 'dataset upload: the body is empty (send the tar archive as the body)');
    const unpacked = path.join(tmp, 'dataset');
    await unpackArchive(archive, unpacked);
    await fs.rm(archive);
    const added: AddedDataset = await addDataset(await datasetRoot(unpacked), parsed.data, { pool: p.pool, store: p.store });
    return Response.json({ dataset: added }, { status: added.created ? 201 : 200 });
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

function tooLarge(maxBytes: number): SlimboardError {
  return new SlimboardError('too_large', `dataset upload: larger than the limit of ${maxBytes} bytes (SLIMBOARD_UPLOAD_MAX_BYTES)`, {
    status: 413,
  });
}

/** An archive of one folder (`tar -cf x.tar DIR`) holds the dataset one level down: step into it. */
async function datasetRoot(dir: string): Promise<string> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries.length === 1 && entries[0].isDirectory() ? path.join(dir, entries[0].name) : dir;
}
