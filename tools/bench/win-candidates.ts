/**
 * The overview's win candidates (lib/zoo/overview-data.ts winCandidatesSql) for the landing page's three axes in one
 * query, against each axis in a query of its own (as before 2026-12-07: each read the variants and their accuracy
 * again), on the `tools/bench/zoo-scale.ts --keep` database (docs/scale.md, "One query for the wins"). Per round,
 * alternately first: the one query, and the three single-axis queries one after another. Checks that each axis's
 * candidates are the same rows in the same order both ways, and prints the times with the load average.
 *
 *   npx tsx tools/bench/win-candidates.ts [--rounds 4]
 */
import { parseArgs } from 'node:util';
import { createPrismaClient } from '../../lib/db/client';
import type { TMetricKind } from '../../lib/zoo/metrics';
import { listExplorerDatasets } from '../../lib/zoo/explorer-points';
import { overviewHeadline, winAccuracyKinds, winCandidatesSql, type TWinCandidate } from '../../lib/zoo/overview-data';
import { medianOf, timeAndLoad } from './bench-timings';
import { startKeptZooScaleDatabase } from './zoo-scale-db';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '4' } } });
const kept = await startKeptZooScaleDatabase();
const db = createPrismaClient(kept.url);
type Candidate = Pick<TWinCandidate, 'axis' | 'modelId' | 'baselineId' | 'inputSize'>;

try {
  const datasets = await listExplorerDatasets(db);
  const kinds = await winAccuracyKinds(db, datasets);
  const device = (await overviewHeadline(db)).devices[0]?.device ?? null;
  const axes: TMetricKind[] = ['gflops', 'model_size_mb', 'latency_ms'];
  console.log(`${timeAndLoad()}; datasets ${datasets.join(', ')}; latency on ${device}`);
  const ms = { combined: [] as number[], separate: [] as number[] };
  const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
    const t = performance.now();
    const out = await f();
    return [out, performance.now() - t];
  };
  const combined = () => db.$queryRaw<Candidate[]>(winCandidatesSql(datasets, kinds, axes, device));
  const key = (c: Candidate) => `${c.modelId}/${c.baselineId}@${c.inputSize}`;
  for (let round = 1; round <= Number(values.rounds); round++) {
    const order = round % 2 ? (['combined', 'separate'] as const) : (['separate', 'combined'] as const);
    let one: Candidate[] = [];
    let each: Candidate[][] = [];
    for (const way of order) {
      if (way === 'combined') {
        const [rows, t] = await timed(combined);
        one = rows;
        ms.combined.push(t);
      } else {
        // One after another, as the overview's axes competed for the same two cores when they ran at once.
        const [rows, t] = await timed(async () => {
          const out: Candidate[][] = [];
          for (const k of axes) out.push(await db.$queryRaw<Candidate[]>(winCandidatesSql(datasets, kinds, [k], device)));
          return out;
        });
        each = rows;
        ms.separate.push(t);
      }
    }
    const same = axes.map((k, i) => {
      const a = one.filter((c) => c.axis === i).map(key);
      const b = each[i].map(key);
      return `${k} ${a.length}/${b.length} ${a.join() === b.join() ? 'same' : 'DIFFERENT'}`;
    });
    console.log(
      `round ${round}: one query ${Math.round(ms.combined.at(-1)!)} ms, three ${Math.round(ms.separate.at(-1)!)} ms; ${same.join(', ')}`,
    );
  }
  console.log(
    `median: one query ${Math.round(medianOf(ms.combined))} ms, three queries ${Math.round(medianOf(ms.separate))} ms ` +
      `(ratio ${(medianOf(ms.combined) / medianOf(ms.separate)).toFixed(2)}); ${timeAndLoad()}`,
  );
} finally {
  await db.$disconnect();
  await kept.stop();
}
