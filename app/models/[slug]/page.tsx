import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { LiveModelRefresh } from '@/app/jobs/live-model-refresh';
import { getDb } from '@/lib/db/client';
import { getModelPage, type ModelRef } from '@/lib/zoo/get-model';
import { deltaOriginText } from '@/lib/zoo/format';
import {
  formatBytes,
  formatMetric,
  formatMetricDelta,
  formatRatio,
  formatSigned,
  MISSING,
  POINTS_DELTA_DECIMALS,
} from '@/lib/zoo/number-format';
import { ZPruneParams } from '@/lib/zoo/strategy-params';
import { ScrollFrame } from '@/app/scroll-frame';
import { listCalibrationChoices } from '@/lib/compression/compress-form-choices';
import { CompressForm } from './compress-form';
import '../../jobs/jobs.css';
import { SensitivitySection } from './sensitivity-section';
import { CompressionSection } from './compression-section';

export const dynamic = 'force-dynamic';

const SLUG = /^[a-z0-9][a-z0-9_-]{0,120}$/;

async function load(slug: string) {
  if (!SLUG.test(slug)) return null;
  return getModelPage(await getDb(), slug);
}

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  const { slug } = await params;
  const model = await load(slug);
  return { title: model ? `${model.name} ${model.strategy?.slug ?? 'baseline'} (${model.dataset.name})` : 'Model not found' };
}

function Ref({ m }: { m: ModelRef }) {
  return (
    <Link href={`/models/${m.slug}`}>
      {m.name} <span className="tag">{m.strategy ?? m.method}</span>
    </Link>
  );
}

export default async function ModelPageView({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const model = await load(slug);
  if (!model) notFound();
  const prune = model.lineageParams ? ZPruneParams.safeParse(model.lineageParams) : null;
  // A measured run with a stored model can be compressed into a new run (lib/compression/start-compression.ts).
  const compressible = model.run && model.run.state !== 'failed' ? model.run : null;
  const calibration = compressible ? await listCalibrationChoices(await getDb(), model.dataset.slug) : null;

  return (
    <article className="model-page">
      <p className="breadcrumbs">
        <Link href="/zoo">Zoo</Link> / <Link href={`/zoo?dataset=${model.dataset.slug}`}>{model.dataset.name}</Link> / {model.name}
      </p>
      <h1>
        {model.name} <span className="tag big">{model.strategy?.slug ?? 'baseline'}</span>
      </h1>
      <LiveModelRefresh slug={model.slug} />
      <dl className="facts">
        <div>
          <dt>Family</dt>
          <dd>{model.family}</dd>
        </div>
        <div>
          <dt>Backbone</dt>
          <dd>{model.backbone}</dd>
        </div>
        <div>
          <dt>Dataset</dt>
          <dd>{model.dataset.name}</dd>
        </div>
        <div>
          <dt>Pretraining</dt>
          <dd>{model.pretraining ?? 'not stated by the source'}</dd>
        </div>
        <div>
          <dt>Method</dt>
          <dd>{model.method}</dd>
        </div>
        <div>
          <dt>Baseline</dt>
          <dd>{model.baseline ? <Ref m={model.baseline} /> : 'this model is a baseline'}</dd>
        </div>
        <div>
          <dt>Teacher</dt>
          <dd>{model.teacher ? <Ref m={model.teacher} /> : '–'}</dd>
        </div>
        <div>
          <dt>Identifier</dt>
          <dd>
            <code>{model.slug}</code>
          </dd>
        </div>
        {model.run && (
          <div>
            <dt>Measured by</dt>
            <dd>
              run <code title={model.run.id}>{model.run.id.slice(0, 8)}</code> ({model.run.state}):{' '}
              <Link href={`/jobs?run=${model.run.id}`} data-testid="model-jobs-link">
                its jobs
              </Link>
            </dd>
          </div>
        )}
        {model.run && (
          <div>
            <dt>Owner</dt>
            <dd data-testid="model-owner">{model.run.owner}</dd>
          </div>
        )}
      </dl>

      <section>
        <h2>Lineage</h2>
        <ol className="lineage" data-testid="lineage">
          {model.lineage.map((m) => (
            <li key={m.slug} className={m.slug === model.slug ? 'current' : undefined}>
              {m.slug === model.slug ? (
                <strong>
                  {m.name} <span className="tag">{m.strategy ?? m.method}</span>
                </strong>
              ) : (
                <Ref m={m} />
              )}
            </li>
          ))}
          {model.children.length > 0 && (
            <li className="children">
              derived models:{' '}
              {model.children.map((c, i) => (
                <span key={c.slug}>
                  {i > 0 && ', '}
                  <Ref m={c} />
                </span>
              ))}
            </li>
          )}
        </ol>
        {model.students.length > 0 && (
          <p>
            Teacher of:{' '}
            {model.students.map((s, i) => (
              <span key={s.slug}>
                {i > 0 && ', '}
                <Ref m={s} />
              </span>
            ))}
          </p>
        )}
      </section>

      {(model.strategy || model.lineageParams) && (
        <section data-testid="model-lineage-params">
          <h2>
            {model.strategy ? (
              <>
                Strategy <code>{model.strategy.slug}</code>
              </>
            ) : (
              'Compression parameters'
            )}
          </h2>
          {model.strategy && <p>{model.strategy.description}</p>}
          {!model.lineageParams && (
            <p className="muted" data-testid="no-lineage-params">
              This model declares no pruned parameters, ratios, teacher or quantization settings.
            </p>
          )}
          {model.lineageParams?.quantMode && (
            <p>
              Quantization: <code>{model.lineageParams.quantMode}</code>
            </p>
          )}
          {model.lineageParams?.teacher && !model.teacher && (
            <p>
              Teacher (as declared): <code>{model.lineageParams.teacher}</code>
            </p>
          )}
          {prune?.success && (
            <ScrollFrame label="Pruned parameters" className="fit">
              <table className="params-table" data-testid="pruned-params">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>pruned_params</th>
                    <th className="num">pruned_ratios</th>
                  </tr>
                </thead>
                <tbody>
                  {prune.data.prunedParams.map((p, i) => (
                    <tr key={p}>
                      <td>{i + 1}</td>
                      <td>
                        <code>{p}</code>
                      </td>
                      <td className="num" title={String(prune.data.prunedRatios[i])} data-value={prune.data.prunedRatios[i]}>
                        {formatRatio(prune.data.prunedRatios[i])}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollFrame>
          )}
        </section>
      )}

      {model.compression && <CompressionSection view={model.compression} />}

      {model.sensitivity && <SensitivitySection view={model.sensitivity} />}

      {model.run && (model.run.provenance || model.run.training || model.run.formerFiles.length > 0) && (
        <section data-testid="training">
          <h2>Provenance and training</h2>
          {model.run.provenance && <p>{model.run.provenance}</p>}
          {model.run.formerFiles.length > 0 && (
            <div data-testid="former-files">
              <p>
                Former files of this run (same weights; the numbers measured on them that depend only on the weights were kept, the analysis
                was measured again on the current file):
              </p>
              <ul>
                {model.run.formerFiles.map((f) => (
                  <li key={f.sha256}>
                    <code>{f.fileName}</code>, sha256 <code>{f.sha256}</code>, {f.sizeBytes.toLocaleString('en-US')} bytes, replaced{' '}
                    {f.replacedAt.slice(0, 19).replace('T', ' ')} UTC: {f.change}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {model.run.training && (
            <>
              <p>
                Seed: <code>{model.run.training.seed ?? 'not stated'}</code>
              </p>
              {model.run.training.recipe && <pre className="params">{JSON.stringify(model.run.training.recipe, null, 2)}</pre>}
            </>
          )}
        </section>
      )}

      {model.agreement.map((a) => (
        <section key={a.sourceSlug} data-testid="agreement">
          <h2>Measured here vs {a.sourceTitle}</h2>
          <p className="muted">
            The same weights evaluated twice: by Slimboard (onnxruntime-node, its own pre-processing, decoding and COCO evaluator) and as
            reported by {a.sourceTitle}. They should agree within {a.tolerancePoints} points; a larger gap points at the export,
            pre-processing or decoding.
          </p>
          <ScrollFrame label="Measured vs reported">
            <table className="zoo-table">
              <thead>
                <tr>
                  <th>Metric</th>
                  <th className="num">Input size</th>
                  <th className="num">Slimboard (measured)</th>
                  <th className="num">Training pipeline (reported)</th>
                  <th className="num">Difference</th>
                  <th>Within {a.tolerancePoints}?</th>
                </tr>
              </thead>
              <tbody>
                {a.rows.map((r) => (
                  <tr key={`${r.metric}-${r.inputSize}`} data-input-size={r.inputSize ?? ''}>
                    <td>
                      {r.metric === 'box_ap' ? 'Box AP' : r.metric}
                      {r.dataset ? ` (${r.dataset})` : ''}
                    </td>
                    <td className="num">{r.inputSize ?? 'any'}</td>
                    <td className="num">
                      {r.measured === null ? <span className="muted">pending</span> : formatMetric(r.metric, r.measured)}
                    </td>
                    <td className="num">{formatMetric(r.metric, r.reported)}</td>
                    <td className="num">{r.differencePoints === null ? '–' : formatSigned(r.differencePoints, POINTS_DELTA_DECIMALS)}</td>
                    <td>
                      {r.agrees === null ? (
                        '–'
                      ) : r.agrees ? (
                        <span className="delta better">yes</span>
                      ) : (
                        <span className="delta worse">no</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollFrame>
        </section>
      ))}

      <section>
        <h2>Numbers</h2>
        <ScrollFrame label="Numbers">
          <table className="zoo-table" data-testid="numbers">
            <thead>
              <tr>
                <th className="sticky-col">Metric</th>
                <th className="num">Input size</th>
                <th>Device</th>
                <th className="num">Value</th>
                <th className="num">Baseline</th>
                <th className="num">Change</th>
                <th>Provenance</th>
                <th>Adapter</th>
              </tr>
            </thead>
            <tbody>
              {model.numbers.map((n, i) => (
                <tr key={i}>
                  <td className="sticky-col">
                    {n.metricLabel}
                    {n.dataset ? ` (${n.dataset})` : ''}
                  </td>
                  <td className="num">{n.inputSize ?? 'any'}</td>
                  <td title={n.deviceTitle ?? undefined}>{n.device ?? '–'}</td>
                  <td className="num" data-metric={n.metric}>
                    {formatMetric(n.metric, n.value, n.decimals)}
                    {n.busy && (
                      <sup className="busy-flag" title={n.busy.title} data-busy="true">
                        busy
                      </sup>
                    )}
                  </td>
                  <td className="num" data-metric={n.metric}>
                    {n.baselineValue === null ? '–' : formatMetric(n.metric, n.baselineValue)}
                  </td>
                  <td className="num">
                    {n.pairedLatency ? (
                      <span className={`delta ${n.pairedLatency.verdict}`} title={n.pairedLatency.title} data-paired="true">
                        {n.pairedLatency.text}
                      </span>
                    ) : n.pairedAccuracy ? (
                      <span className={`delta ${n.pairedAccuracy.verdict}`} title={n.pairedAccuracy.title} data-paired-accuracy="true">
                        {n.pairedAccuracy.text}
                      </span>
                    ) : n.delta ? (
                      <span className={`delta ${n.delta.verdict}`} title={deltaOriginText(n.delta)} data-origin={n.delta.origin}>
                        {formatMetricDelta(n.metric, n.delta.value, n.delta.decimals)}
                        {n.delta.check && !n.delta.check.consistent && <sup className="delta-flag">≠</sup>}
                      </span>
                    ) : model.baseline ? (
                      `(${MISSING})`
                    ) : (
                      '–'
                    )}
                  </td>
                  <td>
                    {n.provenance.kind === 'reported' ? (
                      <>
                        <span className="tag">reported</span>{' '}
                        {n.provenance.sourceUrl ? (
                          <a href={n.provenance.sourceUrl}>{n.provenance.sourceTitle}</a>
                        ) : (
                          n.provenance.sourceTitle
                        )}
                      </>
                    ) : (
                      <>
                        <span className="tag measured">measured</span> job {n.provenance.jobId}
                        {n.provenance.deviceSlug ? (
                          <span title={n.deviceTitle ?? n.provenance.deviceSlug}> on {n.device ?? n.provenance.deviceSlug}</span>
                        ) : (
                          ''
                        )}
                      </>
                    )}
                  </td>
                  <td data-testid={n.adapter ? 'number-adapter' : undefined} data-adapter-origin={n.adapter?.origin}>
                    {n.adapter ? (
                      <>
                        <span className={`tag adapter-${n.adapter.origin}`}>
                          {n.adapter.origin === 'inherited' && n.adapter.fromRunId ? (
                            <Link href={`/jobs?run=${n.adapter.fromRunId}`}>{n.adapter.label}</Link>
                          ) : (
                            n.adapter.label
                          )}
                        </span>{' '}
                        <span className="muted sb-wrap">{n.adapter.summary}</span>
                      </>
                    ) : (
                      '–'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollFrame>
      </section>

      {compressible && calibration && (
        <section data-testid="compress">
          <h2>Compress</h2>
          <p className="muted">
            Quantize (int8 post-training) or prune this model with a job on a worker. The result is registered as a new model whose parent
            is this one, and measured like an upload. Same request as <code>POST /api/runs/{compressible.id}/compress</code> and{' '}
            <code>npm run -s slimboard -- compress submit {model.slug} …</code> (see docs/compression-jobs.md).
          </p>
          <CompressForm runId={compressible.id} datasets={calibration.datasets} defaultCalibDataset={calibration.defaultCalibDataset} />
        </section>
      )}

      <section>
        <h2>Downloads</h2>
        {model.downloads.length === 0 ? (
          <p>The source publishes no download for this model.</p>
        ) : (
          <ul className="downloads">
            {model.downloads.map((d) => {
              const name = d.url ? (
                <a href={d.url}>{d.fileName}</a>
              ) : d.sha256 ? (
                <a href={`/api/artifacts/${d.sha256}`}>{d.fileName}</a>
              ) : (
                d.fileName
              );
              return (
                <li key={d.fileName}>
                  {name}{' '}
                  <span className="muted">
                    ({d.format}
                    {d.sizeBytes !== null ? `, ${formatBytes(d.sizeBytes)}` : ''}
                    {d.sha256 ? `, sha256 ${d.sha256}` : ''})
                  </span>
                </li>
              );
            })}
          </ul>
        )}
      </section>

      {model.sections.length > 0 && (
        <section>
          <h2>Listed in</h2>
          <ul>
            {model.sections.map((s) => (
              <li key={s.slug}>
                <Link href={`/zoo?section=${s.slug}`}>{s.title}</Link> <span className="muted">at {s.inputSizes.join(', ')}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </article>
  );
}
