'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import { CALIBRATION_METHODS } from '@/lib/compression/calibrators';
import { checkCompressDraft, emptyCompressDraft, type TCompressDraft } from '@/lib/compression/compress-form';
import type { TCompressRequest } from '@/lib/compression/compress-request';
import { tokenHelp } from '@/lib/runs/upload-form';
import { ApiTokenField, useStoredToken } from '@/app/api-token-field';

type JobView = {
  id: string;
  state: string;
  progress: number;
  error: string | null;
  result: { runId: string; modelSlug: string | null; state: string } | null;
};

type Status =
  | { kind: 'idle' }
  | { kind: 'sending' }
  | { kind: 'queued'; method: TCompressRequest['method']; job: JobView }
  | { kind: 'error'; message: string; token?: boolean };

const POLL_MS = 2000;

/** The draft's free-text fields (the method and the selects are not). */
type TTextField = Exclude<keyof TCompressDraft, 'method' | 'rule' | 'calibDataset' | 'calibration'>;
type TFieldOptions = { inputMode?: 'numeric' | 'decimal'; rows?: number; placeholder?: string };

/**
 * Start a compression of this model's run: quantize (int8 PTQ) or prune with ratios. The fields build a request that
 * the browser checks with the server's schema (ZCompressRequest, via lib/compression/compress-form.ts), then POSTs to
 * /api/runs/<run>/compress with the API token (kept in localStorage like the upload form's). The job is polled
 * until it has registered the new run, which is then linked.
 */
export function CompressForm({
  runId,
  datasets,
  defaultCalibDataset,
}: {
  runId: string;
  datasets: Array<{ slug: string; name: string }>;
  defaultCalibDataset: string;
}) {
  const [draft, setDraft] = useState<TCompressDraft>(() => emptyCompressDraft({ calibDataset: defaultCalibDataset }));
  const { token, setToken, remember } = useStoredToken();
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const set = (patch: Partial<TCompressDraft>) => setDraft((d) => ({ ...d, ...patch }));
  /** A labelled text field bound to one field of the draft (a textarea when `rows` is given). */
  const field = (key: TTextField, id: string, label: React.ReactNode, o: TFieldOptions = {}) => {
    const onChange = (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => set({ [key]: e.target.value });
    return (
      <>
        <label htmlFor={id}>{label}</label>
        {o.rows ? (
          <textarea id={id} rows={o.rows} value={draft[key]} onChange={onChange} placeholder={o.placeholder} />
        ) : (
          <input id={id} value={draft[key]} onChange={onChange} inputMode={o.inputMode} />
        )}
      </>
    );
  };
  const methodChoice = (method: TCompressDraft['method'], label: string) => (
    <label className="inline">
      <input type="radio" name="method" checked={draft.method === method} onChange={() => set({ method })} /> {label}
    </label>
  );

  const jobId = status.kind === 'queued' ? status.job.id : null;
  // Polling ends when the job failed, or is done and its run has a model to link (not while it is being registered).
  const finished =
    status.kind === 'queued' &&
    (status.job.state === 'failed' ||
      status.job.state === 'cancelled' ||
      (status.job.state === 'done' && (!!status.job.result?.modelSlug || status.method === 'sensitivity')));
  useEffect(() => {
    if (!jobId || finished) return;
    const timer = setInterval(async () => {
      const res = await fetch(`/api/runs/${runId}/compress`, { cache: 'no-store' }).catch(() => null);
      if (!res?.ok) return;
      const body = (await res.json()) as { jobs: JobView[] };
      const job = body.jobs.find((j) => j.id === jobId);
      if (job) setStatus((s) => ({ kind: 'queued', method: s.kind === 'queued' ? s.method : 'quantize', job }));
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [jobId, finished, runId]);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const check = checkCompressDraft(draft);
    if (!check.ok) return setStatus({ kind: 'error', message: check.message });
    if (token.trim() === '') return setStatus({ kind: 'error', message: tokenHelp('missing'), token: true });
    remember(token.trim());
    setStatus({ kind: 'sending' });
    try {
      const res = await fetch(`/api/runs/${runId}/compress`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.trim()}`, 'content-type': 'application/json' },
        body: JSON.stringify(check.request),
      });
      const body = (await res.json().catch(() => ({}))) as { job?: { id: string }; error?: { message: string } };
      if (res.status === 202 && body.job) {
        setStatus({
          kind: 'queued',
          method: check.request.method,
          job: { id: body.job.id, state: 'queued', progress: 0, error: null, result: null },
        });
      } else if (res.status === 401) setStatus({ kind: 'error', message: tokenHelp('refused', body.error?.message), token: true });
      else setStatus({ kind: 'error', message: `${res.status}: ${body.error?.message ?? res.statusText}` });
    } catch {
      setStatus({ kind: 'error', message: 'The request failed (connection lost); try again.' });
    }
  }

  return (
    <form className="upload-form compress-form" onSubmit={submit} noValidate data-testid="compress-form">
      {methodChoice('quantize', 'quantize (int8 PTQ)')}
      {methodChoice('prune', 'prune with ratios')}
      {methodChoice('sensitivity', 'sensitivity analysis')}
      {methodChoice('prune-to-target', 'prune to a GFLOPs target')}
      {draft.method === 'sensitivity' ? (
        <>
          <p className="muted">
            Each prunable conv pruned alone at each ratio, evaluated without fine-tuning (PaddleSlim&apos;s sensitivity); the curves are
            stored on this model and charted here, and a killed job keeps the cells it computed.
          </p>
          {field('sensDataset', 'sens-dataset', <>Dataset (COCO format; empty: the model&apos;s)</>)}
          {field('sensImages', 'sens-images', 'Images', { inputMode: 'numeric' })}
          {field('sensRatios', 'sens-ratios', 'Ratios (ascending, comma-separated)')}
          {field(
            'sensParams',
            'sens-params',
            'Conv weights to analyse (initializer names, comma- or newline-separated; empty: every prunable conv)',
            { rows: 3, placeholder: 'yolo_block.0.0.0.conv.weights' },
          )}
        </>
      ) : draft.method === 'prune-to-target' ? (
        <>
          <p className="muted">Ratios read from this model&apos;s stored sensitivity analysis (run one first), then pruned by L1 norm.</p>
          {field('flopsTargetPct', 'flops-target', 'GFLOPs reduction (%)', { inputMode: 'decimal' })}
          <label htmlFor="ratio-rule">Ratio rule</label>
          <select id="ratio-rule" value={draft.rule} onChange={(e) => set({ rule: e.target.value })}>
            <option value="paddleslim">paddleslim (get_ratios_by_loss)</option>
            <option value="with-origin">with-origin (an added (0, 0) point)</option>
          </select>
        </>
      ) : draft.method === 'quantize' ? (
        <>
          <label htmlFor="calib-dataset">Calibration dataset (not the evaluation dataset)</label>
          <select id="calib-dataset" value={draft.calibDataset} onChange={(e) => set({ calibDataset: e.target.value })}>
            <option value="">choose…</option>
            {datasets.map((d) => (
              <option key={d.slug} value={d.slug}>
                {d.name} ({d.slug})
              </option>
            ))}
          </select>
          {field('calibImages', 'calib-images', 'Calibration images', { inputMode: 'numeric' })}
          <label htmlFor="calibration">Calibration method</label>
          <select id="calibration" value={draft.calibration} onChange={(e) => set({ calibration: e.target.value })}>
            {CALIBRATION_METHODS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
          {draft.calibration === 'percentile' && field('percentile', 'percentile', 'Percentile (empty: 99.999)', { inputMode: 'decimal' })}
          {field('exclude', 'exclude', 'Keep in float (node names, comma-separated; optional)')}
        </>
      ) : (
        <>
          {field('pruneLines', 'prune-lines', <>Conv weights and ratios, one &quot;param ratio&quot; per line (PaddleSlim order)</>, {
            rows: 5,
            placeholder: 'yolo_block.0.0.0.conv.weights 0.3',
          })}
        </>
      )}
      {field('inputSize', 'compress-input-size', <>Input size (empty: the run&apos;s first)</>, { inputMode: 'numeric' })}
      {field('name', 'compress-name', 'Name of the new model (optional)')}
      <ApiTokenField id="compress-token" value={token} onChange={setToken} />
      <p>
        <button type="submit" disabled={status.kind === 'sending' || (status.kind === 'queued' && !finished)}>
          Start compression job
        </button>
      </p>
      <CompressStatus status={status} runId={runId} />
    </form>
  );
}

function CompressStatus({ status, runId }: { status: Status; runId: string }) {
  if (status.kind === 'idle') return null;
  if (status.kind === 'sending') return <p className="upload-result">Sending…</p>;
  if (status.kind === 'error') {
    return (
      <p className="upload-result error" role="alert" data-testid={status.token ? 'compress-token-error' : 'compress-error'}>
        {status.message}
      </p>
    );
  }
  const { job } = status;
  return (
    <p className={`upload-result${job.state === 'failed' ? ' error' : ''}`} data-testid="compress-status">
      Job <Link href={`/jobs?run=${runId}`}>{job.id.slice(0, 8)}</Link>: {job.state}
      {job.state === 'running' ? ` ${(100 * job.progress).toFixed(0)} %` : ''}
      {job.error ? ` (${job.error})` : ''}
      {job.state === 'done' && status.method === 'sensitivity' && <> → analysis stored: reload the page to see its chart</>}
      {job.result?.modelSlug && (
        <>
          {' '}
          → new model{' '}
          <Link href={`/models/${job.result.modelSlug}`} data-testid="compress-result-link">
            {job.result.modelSlug}
          </Link>{' '}
          (being measured; its page fills in as the jobs finish)
        </>
      )}
    </p>
  );
}
