import type { Metadata } from 'next';
import { UploadForm } from './upload-form';
import '../jobs/jobs.css';

export const metadata: Metadata = { title: 'Upload a model' };

/** The web door for registering a run: same metadata schema and endpoint as the API and the CLI. */
export default function UploadPage() {
  return (
    <div className="upload-page">
      <h1>Register a compressed model</h1>
      <p className="muted">
        Drop an <code>.onnx</code> file, describe it, and Slimboard measures its GFLOPs, size, latency and accuracy beside its baseline. The same
        metadata works with <code>POST /api/runs</code> and <code>npm run -s slimboard -- submit MODEL.onnx --meta FILE.json</code>. Writing needs an
        API token (<code>npm run -s slimboard -- token create --name you</code>).
      </p>
      <UploadForm />
    </div>
  );
}
