'use client';

import Link from 'next/link';
import { useEffect, useMemo, useRef, useState } from 'react';
import { formatZodIssues } from '@/lib/errors';
import { detectAdapter, type TModelAdapter } from '@/lib/inference/detection/model-adapter';
import { readIoSignature, type IoSignature } from '@/lib/onnx/io-signature';
import { METHODS, PRETRAININGS, ZRunMetadata } from '@/lib/runs/run-metadata';
import {
  applyBaseline,
  describeAdapter,
  emptyDraft,
  inputSizeOptions,
  paramsToPruneRows,
  pruneRowsToParams,
  searchModels,
  tokenHelp,
  withField,
  zooMethod,
  type TDraftMetadata,
  type TPruneRow,
  type TRunMethod,
} from '@/lib/runs/upload-form';
import type { UploadChoices, UploadModelChoice } from '@/lib/zoo/list-upload-choices';
import { formatBytes } from '@/lib/zoo/number-format';
import { ApiTokenField, useStoredToken } from '@/app/api-token-field';

type Status =
  | { kind: 'idle' }
  | { kind: 'uploading'; fraction: number }
  | { kind: 'done'; runId: string; modelSlug: string; linked: boolean }
  | { kind: 'error'; message: string; token?: boolean };

type Preview =
  | { kind: 'none' }
  | { kind: 'reading' }
  | { kind: 'found'; signature: IoSignature; adapter: TModelAdapter }
  | { kind: 'unknown'; signature: IoSignature | null; message: string };

/** Files larger than this are not read in the browser for the preview (the server still checks them). */
const PREVIEW_MAX_BYTES = 512e6;

const METHOD_LABELS: Record<TRunMethod, string> = {
  baseline: 'baseline (uncompressed)',
  prune: 'prune',
  distill: 'distill',
  'prune+distill': 'prune + distill',
  quant: 'quantize',
  nas: 'architecture search (NAS)',
};

function shape(v: { name: string; type: string; shape: Array<number | string> }): string {
  return `${v.name} ${v.type}[${v.shape.join(', ')}]`;
}

/**
 * Upload a model without reading the schema: fields for the run metadata (baseline picked from the zoo,
 * family/backbone/dataset filled from it, selects for method, strategy, dataset and input sizes, a table
 * of strategy parameters, the adapter auto-detection previewed from the file), and the same metadata as
 * JSON in an advanced view. Both views edit ONE object, checked in the browser by the zod schema the
 * server uses (ZRunMetadata). The request carries a Bearer token (CSRF: a cross-site form cannot) and
 * the server refuses cross-origin requests.
 */
export function UploadForm({ choices }: { choices: UploadChoices }) {
  const [file, setFile] = useState<File | null>(null);
  const [draft, setDraftState] = useState<TDraftMetadata>(emptyDraft);
  const [jsonText, setJsonText] = useState(() => JSON.stringify(emptyDraft(), null, 2));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [rows, setRows] = useState<TPruneRow[]>([]);
  const [query, setQuery] = useState('');
  const { token, setToken, remember } = useStoredToken();
  const [over, setOver] = useState(false);
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [preview, setPreview] = useState<Preview>({ kind: 'none' });
  const input = useRef<HTMLInputElement>(null);

  /** Every field edit goes through here: the JSON view follows. */
  const setDraft = (next: TDraftMetadata) => {
    setDraftState(next);
    setJsonText(JSON.stringify(next, null, 2));
    setJsonError(null);
  };
  const set = (key: string, value: unknown) => setDraft(withField(draft, key, value));

  /** The JSON view: a valid object replaces the draft (the fields follow); invalid JSON is only flagged. */
  const editJson = (text: string) => {
    setJsonText(text);
    try {
      const v: unknown = JSON.parse(text);
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('the metadata must be a JSON object');
      setDraftState(v as TDraftMetadata);
      setRows(paramsToPruneRows((v as TDraftMetadata).strategyParams));
      setJsonError(null);
    } catch (e) {
      setJsonError(e instanceof Error ? e.message : String(e));
    }
  };

  // Preview what auto-detection will find: inputs and outputs read from the file's bytes in the browser.
  useEffect(() => {
    if (!file) return setPreview({ kind: 'none' });
    if (file.size > PREVIEW_MAX_BYTES)
      return setPreview({ kind: 'unknown', signature: null, message: `the file is ${formatBytes(file.size)}: too large to preview here` });
    let alive = true;
    setPreview({ kind: 'reading' });
    file
      .arrayBuffer()
      .then((buf) => {
        if (!alive) return;
        let signature: IoSignature | null = null;
        try {
          signature = readIoSignature(new Uint8Array(buf), file.name);
          setPreview({ kind: 'found', signature, adapter: detectAdapter(signature.inputs, signature.outputs, file.name) });
        } catch (e) {
          setPreview({ kind: 'unknown', signature, message: e instanceof Error ? e.message : String(e) });
        }
      })
      .catch(
        (e: unknown) => alive && setPreview({ kind: 'unknown', signature: null, message: e instanceof Error ? e.message : String(e) }),
      );
    return () => {
      alive = false;
    };
  }, [file]);

  const method = (METHODS as readonly string[]).includes(String(draft.method)) ? (draft.method as TRunMethod) : 'prune';
  const baseline = useMemo(() => choices.models.find((m) => m.slug === draft.baseline) ?? null, [choices.models, draft.baseline]);
  const matches = useMemo(() => (query.trim() ? searchModels(choices.models, query) : []), [choices.models, query]);
  const strategies = choices.strategies.filter((s) => s.method === zooMethod(method));
  const strategy = typeof draft.strategy === 'string' ? draft.strategy : '';
  const customStrategy = strategy !== '' && !strategies.some((s) => s.slug === strategy);
  const sizes = Array.isArray(draft.inputSizes) ? (draft.inputSizes as unknown[]).filter((n): n is number => typeof n === 'number') : [];
  const params = (draft.strategyParams ?? {}) as Record<string, unknown>;
  const measurements = (draft.measurements ?? {}) as Record<string, unknown>;
  const hasPruning = method === 'prune' || method === 'prune+distill';
  const hasTeacher = method === 'distill' || method === 'prune+distill';

  const setParams = (next: Record<string, unknown>) => set('strategyParams', Object.keys(next).length > 0 ? next : undefined);
  const setRowsAndParams = (next: TPruneRow[]) => {
    setRows(next);
    const rest = { ...params };
    delete rest.prunedParams;
    delete rest.prunedRatios;
    setParams({ ...rest, ...pruneRowsToParams(next) });
  };
  const pick = (m: UploadModelChoice) => {
    setDraft(applyBaseline(draft, m));
    setQuery('');
  };

  function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!file) return setStatus({ kind: 'error', message: 'Choose an .onnx file first (drop it on the box above, or click the box).' });
    if (jsonError) return setStatus({ kind: 'error', message: `The advanced JSON view does not parse: ${jsonError}` });
    const check = ZRunMetadata.safeParse(draft);
    if (!check.success) return setStatus({ kind: 'error', message: `metadata: ${formatZodIssues(check.error.issues)}` });
    if (token.trim() === '') return setStatus({ kind: 'error', message: tokenHelp('missing'), token: true });
    remember(token.trim());
    const fd = new FormData();
    fd.append('door', 'web');
    fd.append('meta', JSON.stringify(draft));
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
      } else if (xhr.status === 401) setStatus({ kind: 'error', message: tokenHelp('refused', body.error?.message), token: true });
      else {
        const runNote = body.error?.runId ? ` (run ${body.error.runId})` : '';
        setStatus({ kind: 'error', message: `${xhr.status}: ${body.error?.message ?? xhr.statusText}${runNote}` });
      }
    };
    xhr.onerror = () => setStatus({ kind: 'error', message: 'The upload failed (connection lost); try again.' });
    setStatus({ kind: 'uploading', fraction: 0 });
    xhr.send(fd);
  }

  return (
    <form className="upload-form" onSubmit={submit} noValidate>
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
        onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && input.current?.click()}
        role="button"
        tabIndex={0}
        data-testid="drop-zone"
      >
        {file ? (
          <span>
            <b>{file.name}</b> ({formatBytes(file.size)})
          </span>
        ) : (
          <span>Drop an .onnx file here, or click to choose one</span>
        )}
        <input ref={input} type="file" accept=".onnx" hidden name="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </div>

      <fieldset className="upload-section">
        <legend>Baseline</legend>
        <p className="muted">
          The zoo model yours is compared against; family, backbone, dataset, pretraining and input sizes come from it.
        </p>
        {baseline ? (
          <p className="upload-picked" data-testid="baseline-picked">
            <b>{baseline.name}</b> <span className="tag">{baseline.strategy ?? baseline.method}</span> {baseline.datasetName}
            {baseline.inputSizes.length > 0 ? ` · ${baseline.inputSizes.join('/')} px` : ''} <code>{baseline.slug}</code>{' '}
            <button type="button" className="link-button" onClick={() => set('baseline', undefined)}>
              change
            </button>
          </p>
        ) : null}
        <label htmlFor="baseline-search">Search the zoo</label>
        <input
          id="baseline-search"
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="e.g. mobilenet coco"
          autoComplete="off"
          data-testid="baseline-search"
        />
        {matches.length > 0 && (
          <ul className="upload-matches" data-testid="baseline-matches">
            {matches.map((m) => (
              <li key={m.slug}>
                <button type="button" onClick={() => pick(m)} data-slug={m.slug}>
                  {m.name} <span className="tag">{m.strategy ?? m.method}</span> <span className="muted">{m.datasetName}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        {query.trim() !== '' && matches.length === 0 && <p className="muted">No zoo model matches “{query}”.</p>}
      </fieldset>

      <fieldset className="upload-section upload-grid">
        <legend>The model</legend>
        <label>
          Name
          <input
            name="name"
            value={typeof draft.name === 'string' ? draft.name : ''}
            onChange={(e) => set('name', e.target.value)}
            placeholder="YOLOv3-MobileNetV1 (my pruning)"
          />
        </label>
        <label>
          Family
          <input
            name="family"
            value={typeof draft.family === 'string' ? draft.family : ''}
            onChange={(e) => set('family', e.target.value)}
            placeholder="YOLOv3"
          />
        </label>
        <label>
          Backbone
          <input
            name="backbone"
            value={typeof draft.backbone === 'string' ? draft.backbone : ''}
            onChange={(e) => set('backbone', e.target.value)}
            placeholder="MobileNetV1"
          />
        </label>
        <label>
          Dataset
          <select
            name="dataset"
            value={typeof draft.dataset === 'string' ? draft.dataset : ''}
            onChange={(e) => set('dataset', e.target.value)}
          >
            <option value="">choose…</option>
            {choices.datasets.map((d) => (
              <option key={d.slug} value={d.slug}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Pretraining
          <select
            name="pretraining"
            value={typeof draft.pretraining === 'string' ? draft.pretraining : ''}
            onChange={(e) => set('pretraining', e.target.value || undefined)}
          >
            <option value="">not stated</option>
            {PRETRAININGS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Method
          <select
            name="method"
            value={method}
            onChange={(e) => setDraft(withField(withField(draft, 'method', e.target.value), 'strategy', undefined))}
          >
            {METHODS.map((m) => (
              <option key={m} value={m}>
                {METHOD_LABELS[m]}
              </option>
            ))}
          </select>
        </label>
        {method !== 'baseline' && (
          <label>
            Strategy
            <select
              name="strategy"
              value={customStrategy ? '__other' : strategy}
              onChange={(e) => set('strategy', e.target.value === '__other' ? 'my-strategy' : e.target.value || undefined)}
            >
              <option value="">none</option>
              {strategies.map((s) => (
                <option key={s.slug} value={s.slug} title={s.description}>
                  {s.slug}
                </option>
              ))}
              <option value="__other">other (type a name)…</option>
            </select>
          </label>
        )}
        {customStrategy && (
          <label>
            Strategy name
            <input name="strategy-name" value={strategy} onChange={(e) => set('strategy', e.target.value)} />
          </label>
        )}
      </fieldset>

      <fieldset className="upload-section">
        <legend>Input sizes (px, square)</legend>
        <div className="upload-sizes" data-testid="input-sizes">
          {inputSizeOptions(baseline).map((s) => (
            <label key={s} className="inline">
              <input
                type="checkbox"
                value={s}
                checked={sizes.includes(s)}
                onChange={(e) => set('inputSizes', e.target.checked ? [...sizes, s].sort((a, b) => b - a) : sizes.filter((x) => x !== s))}
              />{' '}
              {s}
            </label>
          ))}
        </div>
      </fieldset>

      {method !== 'baseline' && (
        <fieldset className="upload-section">
          <legend>Strategy parameters (optional)</legend>
          {hasPruning && (
            <>
              <p className="muted">
                Pruned parameters and their ratios (PaddleSlim --pruned_params / --pruned_ratios), one per row; ratios in [0, 1).
              </p>
              <div className="table-wrap">
                <table className="zoo-table upload-params" data-testid="params-table">
                  <thead>
                    <tr>
                      <th>Parameter</th>
                      <th className="num">Ratio</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r, i) => (
                      <tr key={i}>
                        <td>
                          <input
                            aria-label={`parameter ${i + 1}`}
                            value={r.param}
                            onChange={(e) => setRowsAndParams(rows.map((x, j) => (j === i ? { ...x, param: e.target.value } : x)))}
                          />
                        </td>
                        <td className="num">
                          <input
                            aria-label={`ratio ${i + 1}`}
                            inputMode="decimal"
                            value={r.ratio}
                            onChange={(e) => setRowsAndParams(rows.map((x, j) => (j === i ? { ...x, ratio: e.target.value } : x)))}
                          />
                        </td>
                        <td>
                          <button type="button" className="link-button" onClick={() => setRowsAndParams(rows.filter((_, j) => j !== i))}>
                            remove
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <button type="button" className="button" onClick={() => setRows([...rows, { param: '', ratio: '' }])} data-testid="add-param">
                Add a pruned parameter
              </button>
            </>
          )}
          {hasTeacher && (
            <label>
              Teacher
              <select
                name="teacher"
                value={typeof params.teacher === 'string' ? params.teacher : ''}
                onChange={(e) => {
                  const next = { ...params, teacher: e.target.value || undefined };
                  if (!next.teacher) delete next.teacher;
                  setParams(next);
                }}
              >
                <option value="">none stated</option>
                {choices.models.map((m) => (
                  <option key={m.slug} value={m.slug}>
                    {m.name} ({m.strategy ?? m.method}, {m.datasetName})
                  </option>
                ))}
              </select>
            </label>
          )}
          {method === 'quant' && (
            <label>
              Quantization
              <select
                name="quantMode"
                value={typeof params.quantMode === 'string' ? params.quantMode : ''}
                onChange={(e) => {
                  const next = { ...params, quantMode: e.target.value || undefined };
                  if (!next.quantMode) delete next.quantMode;
                  setParams(next);
                }}
              >
                <option value="">not stated</option>
                <option value="post">post-training</option>
                <option value="aware">quantization-aware training</option>
              </select>
            </label>
          )}
          {method === 'nas' && <p className="muted">No parameters for this method.</p>}
        </fieldset>
      )}

      <fieldset className="upload-section" data-testid="adapter-preview">
        <legend>Adapter (how the model is fed and read)</legend>
        {preview.kind === 'none' && <p className="muted">Choose a file to see what auto-detection finds in it.</p>}
        {preview.kind === 'reading' && <p className="muted">Reading the model’s inputs and outputs…</p>}
        {preview.kind === 'found' && (
          <>
            <p>
              Auto-detection found <b data-testid="adapter-kind">{preview.adapter.output.kind}</b> in this file (opset{' '}
              {preview.signature.opset ?? '?'}; inputs {preview.signature.inputs.map(shape).join(', ')}; outputs{' '}
              {preview.signature.outputs.map(shape).join(', ')}):
            </p>
            <ul className="upload-adapter">
              {describeAdapter(preview.adapter).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </>
        )}
        {preview.kind === 'unknown' && (
          <p className="error-text" data-testid="adapter-unknown">
            {preview.message}. Declare an adapter in the advanced JSON view (key <code>adapter</code>).
          </p>
        )}
        <label className="inline">
          <input type="radio" name="adapter-mode" checked={draft.adapter === undefined} onChange={() => set('adapter', undefined)} />{' '}
          auto-detect when evaluated (the run is labelled auto-detected)
        </label>
        <label className="inline">
          <input
            type="radio"
            name="adapter-mode"
            checked={draft.adapter !== undefined}
            disabled={preview.kind !== 'found' && draft.adapter === undefined}
            onChange={() => preview.kind === 'found' && set('adapter', preview.adapter)}
          />{' '}
          declare the detected adapter (edit it in the JSON view)
        </label>
      </fieldset>

      <fieldset className="upload-section">
        <legend>Measure</legend>
        {(['analyse', 'benchmark', 'evaluate'] as const).map((k) => (
          <label key={k} className="inline">
            <input
              type="checkbox"
              checked={measurements[k] !== false}
              onChange={(e) => set('measurements', { ...measurements, [k]: e.target.checked })}
            />{' '}
            {k}
            <span className="muted">
              {k === 'analyse'
                ? ' (GFLOPs, parameters, size)'
                : k === 'benchmark'
                  ? ' (latency on a worker’s device)'
                  : ' (accuracy on the dataset)'}
            </span>
          </label>
        ))}
      </fieldset>

      <details className="upload-advanced" data-testid="advanced">
        <summary>Advanced: the same metadata as JSON (the schema of POST /api/runs and slimboard submit)</summary>
        <label htmlFor="meta">Metadata (JSON)</label>
        <textarea id="meta" name="meta" rows={16} value={jsonText} onChange={(e) => editJson(e.target.value)} spellCheck={false} />
        {jsonError && (
          <p className="error-text" data-testid="json-error">
            not valid JSON yet: {jsonError}
          </p>
        )}
      </details>

      <ApiTokenField id="token" name="token" value={token} onChange={setToken} />
      <p className="muted">
        No token yet? Run <code>npm run -s slimboard -- token create --name YOUR_NAME</code> on the Slimboard machine and paste what it
        prints.
      </p>
      <p>
        <button type="submit" className="button primary" disabled={status.kind === 'uploading'} data-testid="upload-submit">
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
          {status.linked ? 'This file was already registered with the same metadata as run' : 'Registered run'} <code>{status.runId}</code>:
          follow it on the <Link href="/jobs">jobs page</Link> or the <Link href={`/models/${status.modelSlug}`}>model page</Link>.
        </p>
      ) : null}
      {status.kind === 'error' ? (
        <p className="upload-result error" role="alert" data-testid={status.token ? 'upload-token-error' : 'upload-error'}>
          {status.message}
        </p>
      ) : null}
    </form>
  );
}
