'use client';

import { useState } from 'react';
import { DATASET_FORMATS, ZDatasetAdd, type DatasetFormat } from '@/lib/datasets/dataset-add-schema';
import { formatZodIssues } from '@/lib/errors';
import { tokenHelp } from '@/lib/runs/upload-form';
import { ApiTokenField, useStoredToken } from '@/app/api-token-field';

type Status =
  | { kind: 'idle' }
  | { kind: 'uploading'; fraction: number }
  | { kind: 'done'; created: boolean; dataset: { slug: string; format: string; imageCount: number; objectCount: number; sha256: string } }
  | { kind: 'error'; message: string };

/**
 * Registers a dataset from a tar archive of its folder (`tar -cf shapes.tar -C DIR .`) through POST /api/datasets:
 * the web door of `slimboard dataset add`, checked in the browser with the same schema (ZDatasetAdd) first.
 */
export function DatasetForm() {
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [format, setFormat] = useState<DatasetFormat>('coco');
  const [split, setSplit] = useState('');
  const { token, setToken, remember } = useStoredToken();
  const [status, setStatus] = useState<Status>({ kind: 'idle' });

  function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!file)
      return setStatus({ kind: 'error', message: 'Choose a .tar archive of the dataset folder first (tar -cf NAME.tar -C DIR .).' });
    const request = { name, format, ...(split.trim() ? { split: split.trim() } : {}) };
    const check = ZDatasetAdd.safeParse(request);
    if (!check.success) return setStatus({ kind: 'error', message: `dataset: ${formatZodIssues(check.error.issues)}` });
    if (token.trim() === '') return setStatus({ kind: 'error', message: tokenHelp('missing') });
    remember(token.trim());
    const query = new URLSearchParams(Object.entries(check.data).map(([k, v]) => [k, String(v)]));
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/datasets?${query}`);
    xhr.setRequestHeader('authorization', `Bearer ${token.trim()}`);
    xhr.setRequestHeader('content-type', 'application/x-tar');
    xhr.upload.onprogress = (ev) => ev.lengthComputable && setStatus({ kind: 'uploading', fraction: ev.loaded / ev.total });
    xhr.onload = () => {
      let body: { dataset?: Extract<Status, { kind: 'done' }>['dataset']; error?: { message: string } } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if ((xhr.status === 201 || xhr.status === 200) && body.dataset)
        setStatus({ kind: 'done', created: xhr.status === 201, dataset: body.dataset });
      else if (xhr.status === 401) setStatus({ kind: 'error', message: tokenHelp('refused', body.error?.message) });
      else setStatus({ kind: 'error', message: `${xhr.status}: ${body.error?.message ?? xhr.statusText}` });
    };
    xhr.onerror = () => setStatus({ kind: 'error', message: 'The upload failed (connection lost); try again.' });
    setStatus({ kind: 'uploading', fraction: 0 });
    xhr.send(file);
  }

  return (
    <form className="upload-form dataset-form" onSubmit={submit} noValidate data-testid="dataset-form">
      <label htmlFor="dataset-file">Dataset archive (.tar of the folder)</label>
      <input id="dataset-file" type="file" accept=".tar,application/x-tar" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      <p className="muted">
        Layouts: COCO (<code>annotations.json</code> + <code>images/</code>), Pascal VOC (<code>Annotations/</code>,{' '}
        <code>ImageSets/Main/&lt;split&gt;.txt</code>, <code>JPEGImages/</code>) or WIDER FACE (<code>wider_face_split/</code> or{' '}
        <code>wider_face_val.json</code>, <code>WIDER_val/images/</code>); see docs/object-storage.md.
      </p>
      <label htmlFor="dataset-name">Name</label>
      <input id="dataset-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Shapes VOC val" />
      <label htmlFor="dataset-format">Format</label>
      <select id="dataset-format" value={format} onChange={(e) => setFormat(e.target.value as DatasetFormat)}>
        {DATASET_FORMATS.map((f) => (
          <option key={f} value={f}>
            {f}
          </option>
        ))}
      </select>
      <label htmlFor="dataset-split">Split (optional)</label>
      <input id="dataset-split" value={split} onChange={(e) => setSplit(e.target.value)} placeholder="val" />
      <ApiTokenField id="dataset-token" value={token} onChange={setToken} />
      <p>
        <button type="submit" className="button" disabled={status.kind === 'uploading'}>
          Register dataset
        </button>
      </p>
      {status.kind === 'uploading' ? (
        <p>
          <progress max={1} value={status.fraction} aria-label="dataset upload progress" /> {Math.round(status.fraction * 100)}%
        </p>
      ) : null}
      {status.kind === 'done' ? (
        <p className="upload-result" data-testid="dataset-done">
          {status.created ? 'Registered' : 'Already registered with these bytes:'} <code>{status.dataset.slug}</code> (
          {status.dataset.format}, {status.dataset.imageCount} images, {status.dataset.objectCount} objects, sha256{' '}
          <code>{status.dataset.sha256.slice(0, 12)}…</code>). Name it as a run&apos;s <code>dataset</code> (or in{' '}
          <code>measurements.evaluateOn</code>) and any worker fetches it.
        </p>
      ) : null}
      {status.kind === 'error' ? (
        <p className="upload-result error" role="alert" data-testid="dataset-error">
          {status.message}
        </p>
      ) : null}
    </form>
  );
}
