import type { Metadata } from 'next';
import { getDb } from '@/lib/db/client';
import { isSlimboardError } from '@/lib/errors';
import { columnInfo, isOptionalColumn } from '@/lib/zoo/columns';
import { listDeviceNames } from '@/lib/zoo/list-device-names';
import { columnLabel } from './column-label';
import { listZooSectionPages, type ZooSectionPage } from '@/lib/zoo/list-zoo-rows';
import { parseZooQuery, ZOO_PAGE_SIZE, zooExportSearch, zooQueryToSearch, type TZooQuery } from '@/lib/zoo/query';
import { zooTableRow } from '@/lib/zoo/zoo-table-row';
import type { TZooRow } from '@/lib/zoo/row';
import { ColumnPicker, FilterBar } from './zoo-controls';
import { ZooTable } from './zoo-table';
import { DEMO_DATASET_SLUG } from '@/lib/demo-zoo/demo-zoo-constants';
import { getDemoZooStatus, type DemoZooStatus } from '@/lib/demo-zoo/demo-zoo-status';
import { BadLink } from '../bad-link';
import { ZooVersionNote } from '../zoo-version-note';
import { deviceName } from '@/lib/zoo/device-name';

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
    return <BadLink title="Bad filter" message={e.message} href="/zoo" linkText="Show the whole zoo" />;
  }
  const db = await getDb();
  // After a write at scale, the page as last built while the new one is built (the note below says so).
  const [versioned, demo, deviceNames] = await Promise.all([listZooSectionPages(db, query), getDemoZooStatus(db), listDeviceNames(db)]);
  const pages = versioned.value;
  const { data } = pages;
  const rows = pages.sections.flatMap((p) => p.rows);
  const pageOf = new Map(pages.sections.map((p) => [p.section.slug, p]));
  const label = (id: string) => columnLabel(id, deviceNames);
  const demoHasRows = rows.some((r) => r.model.datasetSlug === DEMO_DATASET_SLUG);
  const hidden = new Set(query.hide ?? []);
  const shown = new Set(query.show ?? []);
  const visible = (c: string) => !hidden.has(c) && (!isOptionalColumn(c) || shown.has(c));

  // Group: dataset -> sections (in source order) -> rows. The latency table mixes datasets: its rows
  // appear under their own dataset, the section once per dataset.
  const datasets = [...new Set(rows.map((r) => r.model.datasetSlug))].sort(
    (a, b) => (DATASET_ORDER.indexOf(a) + 1 || 99) - (DATASET_ORDER.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
  const allColumns = [...new Set(data.sections.flatMap((s) => s.columns))];

  return (
    <div className="zoo">
      <div className="page-head">
        <div>
          <h1>Model zoo</h1>
          <p className="lede">
            Compressed object detectors with their published accuracy, cost and latency. Changes in brackets are against each model&apos;s
            declared baseline at the same input size and device: <span className="delta better">better</span>,{' '}
            <span className="delta worse">worse</span>. A published change is shown as printed when its two numbers&apos; rounding allows
            it; otherwise it is computed and marked <sup className="delta-flag">≠</sup> (hover for the interval).
          </p>
        </div>
        <div className="export-links">
          <a className="button" href={`/api/zoo${zooExportSearch(query, 'csv')}`} data-testid="export-csv">
            Export CSV
          </a>
          <a className="button" href={`/api/zoo${zooExportSearch(query, 'json')}`} data-testid="export-json">
            Export JSON
          </a>
        </div>
      </div>

      <div className="toolbar">
        <FilterBar facets={data.facets} query={query} />
        <ColumnPicker
          columns={allColumns.map((id) => ({ id, label: label(id).text, optional: isOptionalColumn(id) }))}
          hidden={[...hidden]}
          shown={[...shown]}
        />
      </div>

      <p className="result-count" data-testid="result-count">
        Showing <strong>{pages.total}</strong> of {pages.all} rows
        {pages.sections.some((p) => p.pages > 1) && <> ({ZOO_PAGE_SIZE} per section and page)</>}
      </p>
      <ZooVersionNote data={versioned} />

      {rows.length === 0 && <p className="empty">No rows match these filters.</p>}

      {datasets.map((ds) => {
        const dsRows = rows.filter((r) => r.model.datasetSlug === ds);
        const sections = groupBySection(dsRows);
        return (
          <section key={ds} className="dataset-group" data-dataset={ds}>
            <h2>{dsRows[0].model.dataset}</h2>
            {ds === DEMO_DATASET_SLUG && <DemoZooNote status={demo} />}
            {sections.map(({ section, rows: sRows }) => {
              const shownColumns = section.columns.filter(visible);
              return (
                <div key={section.slug} className="zoo-section" data-section={section.slug}>
                  <div className="section-head">
                    <h3 id={`${section.slug}-${ds}`}>{section.title}</h3>
                    {section.sourceTitle && <span className="source-title">{section.sourceTitle}</span>}
                  </div>
                  <ZooTable
                    sectionSlug={section.slug}
                    rows={sRows.map((r) => zooTableRow(r, shownColumns))}
                    columns={shownColumns}
                    sort={query.sort ?? null}
                    dir={query.dir ?? 'asc'}
                    deviceNames={deviceNames}
                  />
                  <SectionPager page={pageOf.get(section.slug)!} query={query} />
                </div>
              );
            })}
          </section>
        );
      })}
      {!demoHasRows && demo.problem && (
        <section className="dataset-group" data-dataset={DEMO_DATASET_SLUG}>
          <h2>Demo (synthetic shapes)</h2>
          <DemoZooNote status={demo} />
        </section>
      )}
      <p className="source-note">
        Source of the published rows: the PaddleDetection slim benchmark (<code>prisma/seed/paddledetection-slim-benchmark.md</code>). Every
        number keeps its provenance; hover a value to see it.
      </p>
    </div>
  );
}

/** Which rows of a section this page shows, with links to the other pages (`?section=<slug>&page=<n>`). */
function SectionPager({ page, query }: { page: ZooSectionPage; query: TZooQuery }) {
  if (page.pages <= 1) return null;
  const first = (page.page - 1) * ZOO_PAGE_SIZE + 1;
  const last = Math.min(page.total, page.page * ZOO_PAGE_SIZE);
  const href = (n: number) => `/zoo${zooQueryToSearch({ ...query, section: [page.section.slug], page: n })}`;
  return (
    <nav className="pager" aria-label={`${page.section.title}: pages`} data-testid={`pager-${page.section.slug}`}>
      Rows {first}–{last} of {page.total} · page {page.page} of {page.pages}{' '}
      {page.page > 1 && (
        <a href={href(page.page - 1)} rel="prev">
          ← previous
        </a>
      )}{' '}
      {page.page < page.pages && (
        <a href={href(page.page + 1)} rel="next">
          next →
        </a>
      )}
    </nav>
  );
}

/** The demo zoo's state: a refused manifest or file, the workers' progress, the devices behind the latency columns. */
function DemoZooNote({ status }: { status: DemoZooStatus }) {
  const { jobs } = status;
  return (
    <div className="demo-note" data-testid="demo-zoo-status">
      {status.problem && (
        <p className="error-text" data-testid="demo-zoo-problem">
          Demo zoo problem: {status.problem}
        </p>
      )}
      {jobs.total > 0 && (
        <p>
          Measured on this machine by Slimboard&apos;s workers: <strong>{jobs.done}</strong> of {jobs.total} measurements done
          {jobs.active > 0 ? `, ${jobs.active} queued or running (rows fill in as workers finish; reload to see them)` : ''}
          {jobs.failed > 0 ? `, ${jobs.failed} failed` : ''}.
        </p>
      )}
      {status.failedRuns.map((r) => (
        <p key={r.name} className="error-text">
          {r.name}: {r.reason ?? 'failed'}
        </p>
      ))}
      {status.devices.length > 0 && (
        <p className="muted">
          Latency: median (p50) of timed single-image runs in onnxruntime-node, per device fingerprint:{' '}
          {status.devices.map((d, i) => (
            <span key={d.slug}>
              {i > 0 && '; '}
              <span title={deviceName({ ...d, name: d.slug }).title}>{deviceName({ ...d, name: d.slug }).label}</span>
            </span>
          ))}
          .
        </p>
      )}
      {status.models > 0 && (
        <p className="muted">
          GFLOPs: PaddleSlim convention (convolution multiply-adds / 2^30). Models trained by <code>tools/demo-zoo</code>
          {status.manifestCreatedAt ? ` (manifest ${status.manifestCreatedAt})` : ''}; downloads come from Slimboard&apos;s artifact store
          (sha256 in the link title); each model page shows Slimboard&apos;s AP beside the training pipeline&apos;s own.
        </p>
      )}
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
