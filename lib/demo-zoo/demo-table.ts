/**
 * The demo zoo's measured table as markdown (for the README): the zoo rows of the demo section, exactly
 * as the zoo computes them (values and deltas against the demo baseline), plus the training pipeline's
 * own AP beside Slimboard's, the date and the machine. `demo table` prints it.
 */
import type { Db } from '../db/client';
import { loadZoo } from '../zoo/list-zoo-rows';
import { formatNumber } from '../zoo/format';
import type { TCell, TZooRow } from '../zoo/row';
import { DEMO_SECTION_SLUG, DEMO_SOURCE_SLUG } from './demo-zoo-constants';

export interface DemoTableDevice {
  slug: string;
  cpuModel: string | null;
  logicalCores: number | null;
  threads: number | null;
  executionProvider: string | null;
}

export interface DemoTableInput {
  rows: TZooRow[];
  /** Training pipeline AP in points, keyed `<model slug>@<input size>`. */
  trainingAp: Map<string, number>;
  devices: DemoTableDevice[];
  /** When the newest measured number of the table was taken (null: nothing measured yet). */
  lastMeasuredAt: Date | null;
  generatedAt: Date;
}

/**
 * `0.406 (-34.90%)`: the value with `decimals`, then the zoo's delta text; `…` while pending. A latency measured in a
 * paired benchmark shows the paired change with its 95 % interval instead (`4.51 (−37.1 % [−37.8, −36.0])`, plus
 * `untrusted` when the machine was busy), and a Box AP paired with the baseline's evaluation shows ΔAP with its
 * interval (`59.70 (ΔAP −6.50 [−7.31, −5.72])`), as the zoo does.
 */
function cellText(cell: TCell | undefined, decimals: number): string {
  if (!cell) return '…';
  const v = formatNumber(cell.value, decimals) + (cell.busy ? ' (busy)' : '');
  if (cell.paired) return `${v} (${cell.paired.text}${cell.paired.trusted ? '' : ', untrusted'})`;
  if (cell.pairedAccuracy) return `${v} (${cell.pairedAccuracy.text})`;
  return cell.delta ? `${v} (${cell.delta.text})` : v;
}

function latencyCell(row: TZooRow, deviceSlug: string): TCell | undefined {
  return row.cells[`latency:${deviceSlug}`];
}

function utc(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Pure: the markdown table (header lines, table, footnote). Pending cells print `…`. */
export function formatDemoTable(t: DemoTableInput): string {
  const lines: string[] = [];
  const machine = t.devices.length
    ? t.devices
        .map(
          (d) =>
            `\`${d.slug}\` = ${d.cpuModel ?? 'unknown CPU'}, ${d.logicalCores ?? '?'} logical cores, ${d.threads ?? '?'} onnxruntime ` +
            `thread(s), ${d.executionProvider ?? '?'} EP`,
        )
        .join('; ')
    : 'no latency measured yet';
  lines.push(
    `Demo zoo measured by Slimboard (${t.lastMeasuredAt ? `last number taken ${utc(t.lastMeasuredAt)}` : 'nothing measured yet'}; table ` +
      `printed ${utc(t.generatedAt)}).`,
  );
  lines.push(`Machine: ${machine}.`);
  lines.push('');
  const latencyHeads = t.devices.map((d) => `latency p50 ms (${d.slug})`);
  lines.push(
    `| model | method | strategy | input | GFLOPs | params | size (MB) | ${latencyHeads.join(' | ')}${
      latencyHeads.length ? ' | ' : ''
    }Box AP | training AP | VOC mAP | faces easy | faces medium | faces hard |`,
  );
  lines.push(`|${' --- |'.repeat(3)}${' ---: |'.repeat(4 + latencyHeads.length + 2 + 4)}`);
  for (const r of t.rows) {
    const training = t.trainingAp.get(`${r.model.slug}@${r.inputSize}`);
    const cells = [
      r.model.name,
      r.model.method,
      r.model.strategy ?? '-',
      String(r.inputSize),
      cellText(r.cells.gflops, 3),
      cellText(r.cells.params, 0),
      cellText(r.cells.modelSizeMb, 2),
      ...t.devices.map((d) => cellText(latencyCell(r, d.slug), 2)),
      cellText(r.cells.boxAp, 2),
      training === undefined ? '-' : formatNumber(training, 2),
      cellText(r.cells.vocMap, 2),
      cellText(r.cells.widerEasy, 2),
      cellText(r.cells.widerMedium, 2),
      cellText(r.cells.widerHard, 2),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('');
  lines.push(
    'GFLOPs: PaddleSlim convention (convolution multiply-adds / 2^30). Size: ONNX file bytes / 10^6. Latency: median of timed ' +
      'single-image runs ' +
      '(onnxruntime-node). Box AP: COCO AP@[.5:.95] x 100 on the synthetic val split, measured by Slimboard; training AP: the training ' +
      "pipeline's own evaluation of the same weights (manifest `ap`). Changes in brackets: against the demo baseline, as every zoo row; " +
      'latency changes with [95 % interval] come from paired benchmarks (docs/paired-latency.md), ΔAP [95 % interval] from a paired ' +
      'bootstrap over images (docs/accuracy-intervals.md). VOC mAP: the same val split read as Pascal VOC (11-point mAP at IoU 0.5); ' +
      'faces easy / medium / hard: WIDER FACE AP on the synthetic faces split, the shape detectors used as one-class detectors.',
  );
  return lines.join('\n') + '\n';
}

/** Load the demo section's rows, the training pipeline's AP and the devices from the database. */
export async function loadDemoTable(db: Db, now = new Date()): Promise<DemoTableInput> {
  const zoo = await loadZoo(db);
  const rows = zoo.rows.filter((r) => r.section.slug === DEMO_SECTION_SLUG);
  const slugs = [...new Set(rows.map((r) => r.model.slug))];
  const [reported, measured] = await Promise.all([
    db.measurement.findMany({
      where: { model: { slug: { in: slugs } }, provenance: 'reported', source: { slug: DEMO_SOURCE_SLUG }, metric: 'box_ap' },
      select: { value: true, inputSize: true, model: { select: { slug: true } } },
    }),
    db.measurement.findMany({
      where: { model: { slug: { in: slugs } }, provenance: 'measured' },
      select: {
        createdAt: true,
        device: { select: { slug: true, cpuModel: true, logicalCores: true, threads: true, executionProvider: true } },
      },
    }),
  ]);
  const trainingAp = new Map(reported.map((m) => [`${m.model.slug}@${m.inputSize}`, m.value]));
  const devices = new Map<string, DemoTableDevice>();
  let last: Date | null = null;
  for (const m of measured) {
    if (m.device) devices.set(m.device.slug, m.device);
    if (!last || m.createdAt > last) last = m.createdAt;
  }
  return {
    rows,
    trainingAp,
    devices: [...devices.values()].sort((a, b) => a.slug.localeCompare(b.slug)),
    lastMeasuredAt: last,
    generatedAt: now,
  };
}
