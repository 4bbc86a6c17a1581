/**
 * Check: how many of the seed document's printed deltas `zoo export` serves unchanged (issue #14's bar: at
 * least 119 of 122). Reads the export JSON from a file or stdin, matches every printed delta of the seed
 * (prisma/seed/paddledetection-slim.ts, checked cell by cell against the document by
 * lib/zoo/seed-cells.db.test.ts) to its exported cell, prints the counts and each delta that differs with
 * the interval its two printed numbers allow. Exit 1 below the bar.
 *
 *   npm run -s slimboard -- zoo export --format json > /tmp/zoo.json && npx tsx tools/bench/delta-parity.ts /tmp/zoo.json
 */
import fs from 'node:fs';
import { paddleDetectionSlimCatalog } from '../../prisma/seed/paddledetection-slim';
import type { TZooRow } from '../../lib/zoo/row';

const BAR = 119;

const file = process.argv[2];
const text = fs.readFileSync(file ?? 0, 'utf8');
const exported = JSON.parse(text) as { count: number; rows: TZooRow[] };
const byId = new Map(exported.rows.map((r) => [r.id, r]));

let total = 0;
let unchanged = 0;
let truncatedOnly = 0;
const differing: string[] = [];
for (const s of paddleDetectionSlimCatalog.sections) {
  s.rows.forEach((r, i) => {
    const id = `${s.slug}/${i + 1}`;
    for (const [column, printed] of Object.entries(r.deltas ?? {})) {
      total++;
      const d = byId.get(id)?.cells[column]?.delta;
      if (d?.text === printed) {
        unchanged++;
        if (d.check && !d.check.nearest) truncatedOnly++;
      } else {
        const allowed = d?.check?.interval?.text ?? 'no interval';
        const why = d ? `shown ${d.text} (${d.origin}), the two numbers allow ${allowed}` : 'missing from the export';
        differing.push(`${id} ${column}: printed ${printed}, ${why}`);
      }
    }
  });
}

console.log(`export: ${exported.count} rows; seed: ${total} printed deltas`);
const truncated = `${truncatedOnly} of them consistent only as a truncation`;
console.log(`unchanged in the export: ${unchanged} of ${total} (${truncated}); differing: ${differing.length}`);
for (const line of differing) console.log(`  ${line}`);
if (unchanged < BAR) {
  console.log(`below the bar: ${unchanged} < ${BAR}`);
  process.exitCode = 1;
}
