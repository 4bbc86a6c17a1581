import type { Metadata } from 'next';
import { getDb } from '@/lib/db/client';
import { datasetLabel, METRIC_INFO, type TCostAxis } from '@/lib/explorer/axes';
import type { TExplorerEntry } from '@/lib/explorer/entry';
import { packedExplorerEntries } from '@/lib/explorer/entry-pack';
import type { TWin } from '@/lib/explorer/wins';
import { loadOverview } from '@/lib/zoo/overview-data';
import { formatExplorerFixed, formatSigned, PERCENT_DELTA_DECIMALS, POINTS_DELTA_DECIMALS } from '@/lib/zoo/number-format';
import { ExplorerClient } from './explorer/explorer-client';
import { modelHref } from './explorer/chart-style';
import { ScrollFrame } from './scroll-frame';
import { ZooVersionNote } from './zoo-version-note';

export const dynamic = 'force-dynamic';
// The template in app/layout.tsx applies to child segments only, not to this page beside it.
export const metadata: Metadata = { title: { absolute: 'Overview · Slimboard' } };

type TWinsTableProps = { wins: TWin[]; entries: Map<string, TExplorerEntry>; costLabel: string; quantity: TCostAxis; testId: string };

function WinsTable({ wins, entries, costLabel, quantity, testId }: TWinsTableProps) {
  if (wins.length === 0) return <p className="sb-muted">No model qualifies.</p>;
  return (
    <ScrollFrame label={costLabel}>
      <table className="sb-table" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col" className="sticky-col">
              Model
            </th>
            <th scope="col">Dataset</th>
            <th scope="col">Input size</th>
            <th scope="col">{costLabel}: model vs baseline</th>
            <th scope="col">Cost cut</th>
            <th scope="col">Accuracy vs baseline</th>
          </tr>
        </thead>
        <tbody>
          {wins.map((w) => {
            const e = entries.get(w.key);
            const b = entries.get(`${w.baselineModelId}@${w.inputSize}`);
            return (
              <tr key={w.key} data-key={w.key}>
                <td className="sticky-col">
                  <a href={modelHref(w.modelId)}>{e?.name ?? w.modelId}</a>
                  <div className="sb-muted">vs {b?.name ?? w.baselineModelId}</div>
                </td>
                <td>{datasetLabel(w.dataset)}</td>
                <td>{w.inputSize}</td>
                <td className="sb-num">
                  {formatExplorerFixed(quantity, w.cost)} vs {formatExplorerFixed(quantity, w.baselineCost)}
                </td>
                <td className="sb-num sb-better">
                  {w.costCutInterval ? (
                    <span title="Paired benchmark against the baseline: change of p50 with its 95 % interval" data-paired="true">
                      {w.costCutInterval.text}
                    </span>
                  ) : (
                    formatSigned(-w.costCut * 100, PERCENT_DELTA_DECIMALS, { percent: true })
                  )}
                </td>
                <td className={`sb-num ${w.accuracyDelta >= 0 ? 'sb-better' : 'sb-worse'}`}>
                  {METRIC_INFO[w.metric].label} {formatExplorerFixed('accuracy', w.accuracy)} (
                  {formatSigned(w.accuracyDelta, POINTS_DELTA_DECIMALS)})
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollFrame>
  );
}

export default async function OverviewPage() {
  // Counts and wins in SQL, the chart from its dataset's points only (lib/zoo/overview-data.ts, lib/zoo/explorer-view-data.ts);
  // after a write at scale, the last overview while the new one is computed (the page says so).
  const overview = await loadOverview(await getDb());
  const { chart, head, gflops, size, latency } = overview.value;
  const byKey = new Map<string, TExplorerEntry>();
  for (const e of [...chart.entries, ...gflops.entries, ...size.entries, ...latency.flatMap((l) => l.entries)]) {
    byKey.set(`${e.modelId}@${e.inputSize}`, e);
  }
  const gflopsWins = gflops.wins.slice(0, 8);
  const sizeWins = size.wins.slice(0, 8);
  const latencyWins = latency.flatMap((l) => l.wins.slice(0, 6));

  return (
    <div className="sb-overview">
      <h1>Slimboard</h1>
      <p>
        A living zoo of compressed object detectors: pruned, distilled and quantized YOLOv3 and BlazeFace variants with their published
        numbers, and the ones Slimboard measures on its own devices.
      </p>
      <ZooVersionNote data={overview} />
      <div className="sb-headline" data-testid="headline">
        <div>
          <strong data-testid="headline-models">{head.models}</strong> models
        </div>
        <div>
          <strong>{head.variants}</strong> model × input size variants
        </div>
        <div>
          <strong>{head.datasets.length}</strong> datasets
          <div className="sb-muted">{head.datasets.map(datasetLabel).join(', ')}</div>
        </div>
        <div>
          <strong>{head.devices.length}</strong> devices with latency
          <div className="sb-muted">{head.devices.map((d) => d.deviceLabel).join(', ')}</div>
        </div>
        <div>
          <strong data-testid="headline-published">{head.publishedModels}</strong> published ·{' '}
          <strong data-testid="headline-measured">{head.measuredModels}</strong> measured
        </div>
      </div>

      <h2>COCO: Box AP against GFLOPs at 608 px</h2>
      <ExplorerClient
        packed={packedExplorerEntries(chart.entries)}
        initialView={chart.view}
        reduction={chart.reduction}
        basePath="/"
        compact
      />

      <h2>Biggest wins</h2>
      <p className="sb-muted">
        Computed, not hand-picked: compressed models ranked by how much cost they cut against their declared baseline at the same input
        size, among those losing at most 1 point of the dataset&apos;s accuracy metric (one row per model, its best input size). A latency
        Slimboard measured counts only when the paired benchmark against the baseline finds a significant speed-up on a quiet machine (its
        interval is shown); published numbers have no interval.
      </p>
      <h3>By GFLOPs</h3>
      <WinsTable wins={gflopsWins} entries={byKey} costLabel="GFLOPs" quantity="gflops" testId="wins-gflops" />
      <h3>By model size</h3>
      <WinsTable wins={sizeWins} entries={byKey} costLabel="Model size (MB)" quantity="size" testId="wins-size" />
      {latency.map((d) => (
        <div key={d.device}>
          <h3>By latency on {d.deviceLabel}</h3>
          <WinsTable wins={latencyWins} entries={byKey} costLabel="Latency (ms/image)" quantity="latency" testId="wins-latency" />
        </div>
      ))}
      <p>
        <a href="/explorer">Open the trade-off explorer</a> · <a href="/zoo">Browse the zoo tables</a> ·{' '}
        <a href="/compare">Compare models</a>
      </p>
    </div>
  );
}
