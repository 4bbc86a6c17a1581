import type { Metadata } from 'next';
import { getDb } from '@/lib/db/client';
import { isSlimboardError } from '@/lib/errors';
import { columnInfo } from '@/lib/zoo/columns';
import { listZooRows } from '@/lib/zoo/list-zoo-rows';
import { parseZooQuery, zooQueryToSearch, type TZooQuery } from '@/lib/zoo/query';
import type { TZooRow } from '@/lib/zoo/row';
import { ColumnPicker, FilterBar } from './zoo-controls';
import { ZooTable } from './zoo-table';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Model zoo' };

type SearchParams = Record<string, string | string[] | undefined>;

const DATASET_ORDER = ['coco', 'voc', 'widerface'];

export default async function ZooPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  let query: TZooQuery;
  try {
    query = parseZooQuery(sp);
  } catch (e) {
    if (!isSlimboardError(e)) throw e;
    return (
      <div className="message-page">
        <h1>Bad filter</h1>
        <p className="error-text">{e.message}</p>
        <p>
          <a href="/zoo">Show the whole zoo</a>
        </p>
      </div>
    );
  }
  const { rows, data } = await listZooRows(await getDb(), query);
  const hidden = new Set(query.hide ?? []);
  const exportSearch = (format: 'csv' | 'json') => zooQueryToSearch({ ...query, hide: undefined, format });

  // Group: dataset -> sections (in source order) -> rows. The latency table mixes datasets: its rows
  // appear under their own dataset, the section once per dataset.
  const datasets = [...new Set(rows.map((r) => r.model.datasetSlug))].sort(
    (a, b) => (DATASET_ORDER.indexOf(a) + 1 || 99) - (DATASET_ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
  const allColumns = [...new Set(data.rows.flatMap((r) => r.section.columns))];

  return (
    <div className="zoo">
      <div className="page-head">
        <div>
          <h1>Model zoo</h1>
          <p className="lede">
            Compressed object detectors with their published accuracy, cost and latency. Changes in brackets are computed against each
            model&apos;s declared baseline at the same input size and device: <span className="delta better">better</span>,{' '}
            <span className="delta worse">worse</span>.
          </p>
        </div>
        <div className="export-links">
          <a className="button" href={`/api/zoo${exportSearch('csv')}`} data-testid="export-csv">
            Export CSV
          </a>
          <a className="button" href={`/api/zoo${exportSearch('json')}`} data-testid="export-json">
            Export JSON
          </a>
        </div>
      </div>

      <div className="toolbar">
        <FilterBar facets={data.facets} query={query} />
        <ColumnPicker columns={allColumns.map((id) => ({ id, label: columnInfo(id).label }))} hidden={[...hidden]} />
      </div>

      <p className="result-count" data-testid="result-count">
        Showing <strong>{rows.length}</strong> of {data.rows.length} rows
      </p>

      {rows.length === 0 && <p className="empty">No rows match these filters.</p>}

      {datasets.map((ds) => {
        const dsRows = rows.filter((r) => r.model.datasetSlug === ds);
        const sections = groupBySection(dsRows);
        return (
          <section key={ds} className="dataset-group" data-dataset={ds}>
            <h2>{dsRows[0].model.dataset}</h2>
            {sections.map(({ section, rows: sRows }) => (
              <div key={section.slug} className="zoo-section" data-section={section.slug}>
                <div className="section-head">
                  <h3 id={`${section.slug}-${ds}`}>{section.title}</h3>
                  {section.sourceTitle && <span className="source-title">{section.sourceTitle}</span>}
                </div>
                <ZooTable
                  sectionSlug={section.slug}
                  rows={sRows}
                  columns={section.columns.filter((c) => !hidden.has(c))}
                  sort={query.sort ?? null}
                  dir={query.dir ?? 'asc'}
                />
              </div>
            ))}
          </section>
        );
      })}
      <p className="source-note">
        Source of the published rows: the PaddleDetection slim benchmark (<code>prisma/seed/paddledetection-slim-benchmark.md</code>). Every number
        keeps its provenance; hover a value to see it.
      </p>
    </div>
  );
}

function groupBySection(rows: TZooRow[]): Array<{ section: TZooRow['section']; rows: TZooRow[] }> {
  const out = new Map<string, { section: TZooRow['section']; rows: TZooRow[] }>();
  for (const r of rows) {
    const g = out.get(r.section.slug) ?? { section: r.section, rows: [] };
    g.rows.push(r);
    out.set(r.section.slug, g);
  }
  return [...out.values()].sort((a, b) => a.section.position - b.section.position);
}
