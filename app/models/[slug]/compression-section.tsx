import Link from 'next/link';
import { ScrollFrame } from '@/app/scroll-frame';
import type { CompressionView } from '@/lib/zoo/compression-view';
import { formatRelativeChange, formatSignificant } from '@/lib/zoo/number-format';

/**
 * "Made by a compress job" on the page of a model whose run a compress job registered: the job, the source model, the
 * request and, for prune-to-target, the job's report (target, loss threshold as a relative ΔAP, GFLOPs before → after,
 * actual and predicted reduction, each pruned parameter's ratio). Every number keeps its stored value in `data-value`.
 */

const gflops = (v: number) => formatSignificant(v, 4);

export function CompressionSection({ view }: { view: CompressionView }) {
  const t = view.target;
  return (
    <section data-testid="made-by-compress-job">
      <h2>Made by a compress job</h2>
      <p>
        Job <code>{view.jobId}</code>: {view.description} of <Link href={`/models/${view.sourceModel}`}>{view.sourceModel}</Link>.
      </p>
      {view.method === 'prune-to-target' && !t && <p className="muted">The job&apos;s report could not be read.</p>}
      {t && (
        <>
          <dl className="facts">
            <div>
              <dt>GFLOPs target</dt>
              <dd data-testid="compress-target" data-value={t.flopsTarget}>
                {formatRelativeChange(-t.flopsTarget)}
              </dd>
            </div>
            <div>
              <dt>Loss threshold (ΔAP, relative)</dt>
              <dd data-testid="compress-threshold" data-value={t.lossThreshold}>
                {formatRelativeChange(-t.lossThreshold, 2)}
              </dd>
            </div>
            <div>
              <dt>Ratio rule</dt>
              <dd data-testid="compress-rule">
                <code>{t.rule}</code>
              </dd>
            </div>
            <div>
              <dt>GFLOPs at {t.inputSize} (paddleslim)</dt>
              <dd data-testid="compress-gflops" data-before={t.gflopsBefore} data-after={t.gflopsAfter}>
                {gflops(t.gflopsBefore)} → {gflops(t.gflopsAfter)}
              </dd>
            </div>
            <div>
              <dt>GFLOPs change, actual</dt>
              <dd data-testid="compress-actual" data-value={t.reduction}>
                {formatRelativeChange(-t.reduction, 2)}
              </dd>
            </div>
            <div>
              <dt>GFLOPs change, predicted</dt>
              <dd
                data-testid="compress-predicted"
                data-value={t.predictedReduction}
                title="sum of each parameter's reduction when pruned alone"
              >
                {formatRelativeChange(-t.predictedReduction, 2)}
              </dd>
            </div>
          </dl>
          <ScrollFrame label="Pruned parameters of the job" className="fit">
            <table className="params-table" data-testid="compress-ratios">
              <thead>
                <tr>
                  <th>parameter</th>
                  <th className="num">ratio</th>
                  <th className="num">ΔAP on its curve</th>
                </tr>
              </thead>
              <tbody>
                {t.pruned.map((r) => (
                  <tr key={r.param} data-param={r.param}>
                    <td>
                      <code>{r.param}</code>
                    </td>
                    <td className="num" data-value={r.ratio}>
                      {r.ratio.toFixed(4)}
                    </td>
                    <td className="num" data-value={r.interpolatedLoss}>
                      {formatRelativeChange(-r.interpolatedLoss, 2)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollFrame>
        </>
      )}
    </section>
  );
}
