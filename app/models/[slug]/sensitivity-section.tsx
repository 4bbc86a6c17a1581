import type { SensitivityView } from '@/lib/zoo/sensitivity-view';
import { SensitivityChart } from './sensitivity-chart';
import { ScrollFrame } from '@/app/scroll-frame';
import { formatRelativeChange } from '@/lib/zoo/number-format';
import './sensitivity.css';

/**
 * "Sensitivity analysis" on a model page: the chart (client component, recharts), its provenance as the
 * figure caption, and the same numbers as a table (the chart's text alternative).
 */

const pct = (v: number) => v.toFixed(2);

export function SensitivitySection({ view }: { view: SensitivityView }) {
  const hasChosen = view.series.some((s) => s.chosen !== null);
  const n = view.series.length;
  const captionId = 'sensitivity-caption';
  const tableId = 'sensitivity-table';
  return (
    <section data-testid="sensitivity" aria-labelledby="sensitivity-heading">
      <h2 id="sensitivity-heading">Sensitivity analysis</h2>
      <p className="muted">
        How much accuracy the analysed model (<code>{view.model}</code>) loses when ONE parameter is pruned at a time, without fine-tuning:
        the pruning ratios of a <code>sensity</code> strategy are read off these curves.
        {view.lossThresholdPercent !== null && (
          <>
            {' '}
            This model&apos;s ratios: for each parameter the largest ratio whose ΔAP stays at or above{' '}
            <span data-testid="sensitivity-threshold">{formatRelativeChange(-view.lossThresholdPercent / 100, 2)}</span> (relative; linear
            between measured ratios), the threshold chosen so that GFLOPs change by{' '}
            {view.targetGflopsReductionPercent !== null ? formatRelativeChange(-view.targetGflopsReductionPercent / 100) : 'the target'}.
          </>
        )}
        {view.ratioRule === 'with-origin' && (
          <span data-testid="sensitivity-rule">
            {' '}
            Rule: <code>with-origin</code> — the curves were read with an added (0, 0) point, not with PaddleSlim&apos;s{' '}
            <code>get_ratios_by_loss</code> (no (0, 0) point)
            {view.belowFirstRatio.length > 0
              ? `: under PaddleSlim's rule the ${view.belowFirstRatio.length} parameter(s) whose ratio lies below the first measured ` +
                `ratio ${view.ratios[0]} would get 0.`
              : '.'}
          </span>
        )}
        {view.ratioRule === 'paddleslim' && (
          <span data-testid="sensitivity-rule">
            {' '}
            Rule: <code>paddleslim</code> (PaddleSlim&apos;s <code>get_ratios_by_loss</code>, no (0, 0) point: a parameter over the
            threshold at the first measured ratio gets 0).
          </span>
        )}
      </p>
      <figure className="sensitivity-figure" aria-labelledby={captionId}>
        {n > 0 ? (
          <SensitivityChart
            rows={view.rows}
            series={view.series.map((s) => ({ key: s.key, label: s.label, chosen: s.chosen }))}
            ratios={view.ratios}
            yDomainPercent={view.yDomainPercent}
            lossThresholdPercent={view.lossThresholdPercent}
            ariaLabel={`Line chart: AP loss in percent against pruning ratio, one line for each of ${n} parameters${
              hasChosen ? ', diamonds at this model’s chosen ratios' : ''
            }. The same numbers are in the table below.`}
          />
        ) : (
          <p className="empty">The analysis lists no parameters.</p>
        )}
        <figcaption id={captionId} data-testid="sensitivity-provenance">
          {view.metric} at {view.inputSize}×{view.inputSize} on {view.valImages} val images; baseline AP {view.baselineAp}. Loss ={' '}
          {view.lossDefinition}. Pruning criterion: {view.criterion}. Ratio 0 (nothing pruned) is loss 0 by definition; the other points are
          measured.
          {view.source && (
            <>
              {' '}
              Source: <code>{view.source.file}</code> (sha256 <code title={view.source.sha256}>{view.source.sha256.slice(0, 12)}…</code>)
              {view.source.origin ? `, ${view.source.origin}` : ''}.
            </>
          )}
        </figcaption>
      </figure>
      {view.disagreeing.length > 0 && (
        <p className="error-text" data-testid="sensitivity-disagreeing">
          {view.disagreeing.length} chosen ratio(s) differ from what the loss threshold gives on these curves (so they were not all chosen
          from this analysis): {view.disagreeing.map((d) => `${d.param} ${d.chosenRatio} vs ${d.allowedRatio.toFixed(3)}`).join('; ')}.
        </p>
      )}
      {view.unmatchedPrunedParams.length > 0 && (
        <p className="muted">
          Pruned by this model but not in the analysis:{' '}
          {view.unmatchedPrunedParams.map((p) => (
            <code key={p}>{p} </code>
          ))}
        </p>
      )}
      {n > 0 && (
        <ScrollFrame label="Sensitivity table">
          <table className="zoo-table sensitivity-table" id={tableId} data-testid="sensitivity-table">
            <caption className="muted">
              AP loss (%) and AP (fraction) per pruned parameter and ratio
              {hasChosen ? '; chosen ratio of this model with the loss read off its curve' : ''}.
            </caption>
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                {view.ratios.map((r) => (
                  <th key={r} scope="col" className="num" colSpan={2}>
                    ratio {r}
                  </th>
                ))}
                {hasChosen && (
                  <th scope="col" className="num" colSpan={2}>
                    chosen (this model)
                  </th>
                )}
              </tr>
              <tr>
                <th scope="col" className="sub" />
                {view.ratios.map((r) => [
                  <th key={`l${r}`} scope="col" className="num sub">
                    loss %
                  </th>,
                  <th key={`a${r}`} scope="col" className="num sub">
                    AP
                  </th>,
                ])}
                {hasChosen && [
                  <th key="cr" scope="col" className="num sub">
                    ratio
                  </th>,
                  <th key="cl" scope="col" className="num sub">
                    loss %
                  </th>,
                ]}
              </tr>
            </thead>
            <tbody>
              {view.series.map((s) => (
                <tr key={s.key} data-param={s.param}>
                  <th scope="row">
                    <code>{s.param}</code>
                  </th>
                  {s.points.map((p) => [
                    <td key={`l${p.ratio}`} className="num" data-ratio={p.ratio}>
                      {pct(p.lossPercent)}
                    </td>,
                    <td key={`a${p.ratio}`} className="num">
                      {p.ap.toFixed(4)}
                    </td>,
                  ])}
                  {hasChosen && [
                    <td key="cr" className="num chosen">
                      {s.chosen ? s.chosen.ratio.toFixed(2) : '–'}
                    </td>,
                    <td key="cl" className="num chosen">
                      {s.chosen?.lossPercent != null ? pct(s.chosen.lossPercent) : '–'}
                    </td>,
                  ]}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollFrame>
      )}
    </section>
  );
}
