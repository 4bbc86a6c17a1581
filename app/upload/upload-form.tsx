'use client';

import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { ZRunMetadata } from '@/lib/runs/run-metadata';
import { formatZodIssues } from '@/lib/errors';

const EXAMPLE = {
  name: 'YOLOv3-MobileNetV1 r578 (my pruning)',
  family: 'YOLOv3',
  backbone: 'mobilenet_v1',
  dataset: 'coco',
  method: 'prune',
  strategy: 'r578',
  strategyParams: { prunedParams: ['yolo_block.0.0.0.conv.weights'], prunedRatios: [0.5] },
  baseline: 'yolov3-mobilenet-v1-coco',
  inputSizes: [320, 416, 608],
  measurements: { analyse: true, benchmark: true, evaluate: true },
};

type Status =
  | { kind: 'idle' }
  | { kind: 'uploading'; fraction: number }
  | { kind: 'done'; runId: string; modelSlug: string; linked: boolean }
  | { kind: 'error'; message: string };

/**
 * Drag-and-drop upload with a progress bar (XMLHttpRequest upload events). The metadata is checked in
 * the browser with the same zod schema the server uses. CSRF: the request carries a Bearer token
 * (a cross-site form cannot) and the server refuses cross-origin requests.
 */
export function UploadForm() {
  const [file, setFile] = useState<File | null>(null);
  const [meta, setMeta] = useState(JSON.stringify(EXAMPLE, null, 2));
  const [token, setToken] = useState('');
  const [over, setOver] = useState(false);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => setToken(window.localStorage.getItem('slimboard-token') ?? ''), []);

  function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!file) return setStatus({ kind: 'error', message: 'choose an .onnx file first' });
    let parsed: unknown;
    try {
      parsed = JSON.parse(meta);
    } catch (err) {
      return setStatus({ kind: 'error', message: `metadata is not valid JSON: ${(err as Error).message}` });
    }
    const check = ZRunMetadata.safeParse(parsed);
    if (!check.success) return setStatus({ kind: 'error', message: `metadata: ${formatZodIssues(check.error.issues)}` });
    window.localStorage.setItem('slimboard-token', token);
    const fd = new FormData();
    fd.append('door', 'web');
    fd.append('meta', JSON.stringify(parsed));
    fd.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/runs');
    xhr.setRequestHeader('authorization', `Bearer ${token.trim()}`);
    xhr.upload.onprogress = (ev) => ev.lengthComputable && setStatus({ kind: 'uploading', fraction: ev.loaded / ev.total });
    xhr.onload = () => {
      let body: { run?: { id: string; modelSlug: string }; error?: { message: string; runId?: string } } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      // 201: a new run; 200: the same file with the same metadata was registered before (that run is answered).
      if ((xhr.status === 201 || xhr.status === 200) && body.run) {
        setStatus({ kind: 'done', runId: body.run.id, modelSlug: body.run.modelSlug, linked: xhr.status === 200 });
      } else {
        const runNote = body.error?.runId ? ` (run ${body.error.runId})` : '';
        setStatus({ kind: 'error', message: `${xhr.status}: ${body.error?.message ?? xhr.statusText}${runNote}` });
      }
    };
    xhr.onerror = () => setStatus({ kind: 'error', message: 'upload failed (connection lost)' });
    setStatus({ kind: 'uploading', fraction: 0 });
    xhr.send(fd);
  }

  return (
    <form className="upload-form" onSubmit={submit}>
      <div
        className={`upload-drop${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          const f = e.dataTransfer.files[0];
          if (f) setFile(f);
        }}
        onClick={() => input.current?.click()}
        role="button"
        tabIndex={0}
        data-testid="drop-zone"
      >
        {file ? (
          <span>
            <b>{file.name}</b> ({file.size.toLocaleString()} bytes)
          </span>
        ) : (
          <span>Drop an .onnx file here, or click to choose one</span>
        )}
        <input ref={input} type="file" accept=".onnx" hidden name="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </div>
      <label htmlFor="meta">Metadata (JSON)</label>
      <textarea id="meta" name="meta" rows={16} value={meta} onChange={(e) => setMeta(e.target.value)} spellCheck={false} />
      <label htmlFor="token">API token</label>
      <input id="token" name="token" type="password" value={token} onChange={(e) => setToken(e.target.value)} placeholder="sb_…" autoComplete="off" />
      <p>
        <button type="submit" disabled={status.kind === 'uploading'}>
          Upload and measure
        </button>
      </p>
      {status.kind === 'uploading' ? (
        <p>
          <progress max={1} value={status.fraction} aria-label="upload progress" /> {Math.round(status.fraction * 100)}%
        </p>
      ) : null}
      {status.kind === 'done' ? (
        <p className="upload-result" data-testid="upload-done">
          {status.linked ? 'This file was already registered with the same metadata as run' : 'Registered run'}{' '}
          <code>{status.runId}</code>: follow it on the <Link href="/jobs">jobs page</Link> or the{' '}
          <Link href={`/models/${status.modelSlug}`}>model page</Link>.
        </p>
      ) : null}
      {status.kind === 'error' ? (
        <p className="upload-result error" role="alert" data-testid="upload-error">
          {status.message}
        </p>
      ) : null}
    </form>
  );
}
