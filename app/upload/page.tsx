import type { Metadata } from 'next';
import { getDb } from '@/lib/db/client';
import { listUploadChoices } from '@/lib/zoo/list-upload-choices';
import { DatasetForm } from './dataset-form';
import { UploadForm } from './upload-form';
import '../jobs/jobs.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Upload a model' };

/** The web door for registering a run: same metadata schema and endpoint as the API and the CLI. */
export default async function UploadPage() {
  const choices = await listUploadChoices(await getDb());
  return (
    <div className="upload-page">
      <h1>Register a compressed model</h1>
      <p className="muted">
        Drop an <code>.onnx</code> file, pick its baseline from the zoo and describe it; Slimboard measures its GFLOPs, size, latency and
        accuracy beside the baseline. The form writes the same metadata that <code>POST /api/runs</code> and{' '}
        <code>npm run -s slimboard -- submit MODEL.onnx --meta FILE.json</code> take (see the advanced view).
      </p>
      <UploadForm choices={choices} />
      <h2 id="dataset">Register a dataset</h2>
      <p className="muted">
        A dataset registered here is stored by its sha256 and fetched by any worker, like{' '}
        <code>npm run -s slimboard -- dataset add DIR</code> (same checks, same sha256 for the same folder).
      </p>
      <DatasetForm />
    </div>
  );
}
