'use client';

import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useMemo } from 'react';
import { COCO_DETAIL_COLUMNS, columnInfo } from '@/lib/zoo/columns';
import { deltaOriginText } from '@/lib/zoo/format';
import type { DeviceName } from '@/lib/zoo/device-name';
import { ScrollFrame } from '../scroll-frame';
import { columnLabel } from './column-label';
import { formatMetric, formatMetricDelta, MISSING } from '@/lib/zoo/number-format';
import type { TCell } from '@/lib/zoo/row';
import type { TZooTableRow } from '@/lib/zoo/zoo-table-row';

/**
 * One zoo table. Sorting happens on the server (the URL's `sort`/`dir`, the same for every table, so a
 * link reproduces the view); clicking a header cycles ascending -> descending -> source order.
 */

function provenanceText(c: TCell): string {
  const p = c.provenance;
  const origin =
    p.kind === 'reported' ? `reported in: ${p.sourceTitle}` : `measured by job ${p.jobId}${p.deviceSlug ? ` on ${p.deviceSlug}` : ''}`;
  const base = c.baseline
    ? `; baseline ${formatMetric(c.metric, c.baseline.value, c.baseline.decimals)} (${c.baseline.modelSlug})`
    : c.comparable
      ? '; the baseline has no number here'
      : '';
  return origin + base;
}

function MetricCell({ cell }: { cell: TCell | undefined }) {
  if (!cell) return <span className="missing">–</span>;
  const value = formatMetric(cell.metric, cell.value, cell.decimals);
  const d = cell.delta;
  const flagged = d?.check && !d.check.consistent ? d.check : null;
  return (
    <span className="metric" title={provenanceText(cell)} data-value={cell.value}>
      {value}
      {cell.busy && (
        <sup className="busy-flag" title={cell.busy.title} data-busy="true">
          busy
        </sup>
      )}
      {cell.paired ? (
        <span className={`delta ${cell.paired.verdict}`} title={cell.paired.title} data-paired="true">
          ({cell.paired.text})
        </span>
      ) : cell.pairedAccuracy ? (
        <span className={`delta ${cell.pairedAccuracy.verdict}`} title={cell.pairedAccuracy.title} data-paired-accuracy="true">
          ({cell.pairedAccuracy.text})
        </span>
      ) : d ? (
        <span className={`delta ${d.verdict}${flagged ? ' flagged' : ''}`} title={deltaOriginText(d)} data-origin={d.origin}>
          ({formatMetricDelta(cell.metric, d.value, d.decimals)}){flagged && <sup className="delta-flag">≠</sup>}
        </span>
      ) : cell.comparable ? (
        <span className="delta none" title="no baseline number at this input size">
          ({MISSING})
        </span>
      ) : null}
    </span>
  );
}

function renderCell(columnId: string, row: TZooTableRow) {
  switch (columnId) {
    case 'model':
      return (
        <>
          <Link href={`/models/${row.model.slug}`}>{row.model.name}</Link>
          {row.run && row.run.jobsDone + row.run.jobsFailed < row.run.jobsTotal && (
            <Link
              className="run-progress"
              href={`/jobs?run=${row.run.id}`}
              data-testid="run-progress"
              title="numbers fill in as the workers finish; reload to see them"
            >
              {' '}
              (measuring: {row.run.jobsDone} of {row.run.jobsTotal} jobs done)
            </Link>
          )}
        </>
      );
    case 'backbone':
      return <Link href={`/models/${row.model.slug}`}>{row.model.backbone}</Link>;
    case 'dataset':
      return row.model.dataset;
    case 'pretraining':
      return row.model.pretraining ?? <span className="missing">–</span>;
    case 'method':
      return row.model.method;
    case 'strategy':
      return row.model.strategy ? <span className="tag">{row.model.strategy}</span> : <span className="tag baseline">baseline</span>;
    case 'inputSize':
      return row.inputSize;
    case 'teacher':
      return row.teacher ? (
        <Link href={`/models/${row.teacher.slug}`} title={row.teacher.accuracy ? provenanceText(row.teacher.accuracy) : undefined}>
          {row.teacher.name}
          {row.teacher.accuracy && (
            <span className="teacher-acc">
              ({formatMetric(row.teacher.accuracy.metric, row.teacher.accuracy.value, row.teacher.accuracy.decimals)})
            </span>
          )}
        </Link>
      ) : (
        <span className="missing">–</span>
      );
    case 'download':
      return row.download ? (
        <a
          href={row.download.url}
          title={row.download.sha256 ? `${row.download.fileName} (sha256 ${row.download.sha256})` : row.download.fileName}
          rel="noopener noreferrer"
          data-sha256={row.download.sha256 ?? undefined}
        >
          Download
        </a>
      ) : (
        <span className="missing">–</span>
      );
    default: {
      const detail = COCO_DETAIL_COLUMNS.find((c) => c.id === columnId);
      if (detail) {
        const v = row.cocoDetail?.[detail.key];
        if (v === null || v === undefined) return <span className="missing">–</span>;
        return (
          <span className="metric" title={`COCO ${detail.label} (points), measured by job ${row.cocoDetail!.jobId}`} data-value={v}>
            {v.toFixed(1)}
          </span>
        );
      }
      return <MetricCell cell={row.cells[columnId]} />;
    }
  }
}

type TZooTableProps = {
  sectionSlug: string;
  /** Trimmed to the shown columns on the server (lib/zoo/zoo-table-row.ts). */
  rows: TZooTableRow[];
  columns: string[];
  sort: string | null;
  dir: 'asc' | 'desc';
  /** Display names of the devices behind latency columns (lib/zoo/list-device-names.ts). */
  deviceNames: Record<string, DeviceName>;
};

export function ZooTable({ sectionSlug, rows, columns, sort, dir, deviceNames }: TZooTableProps) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();

  const sortHref = (columnId: string) => {
    const next = new URLSearchParams(params?.toString() ?? '');
    if (sort !== columnId) {
      next.set('sort', columnId);
      next.set('dir', 'asc');
    } else if (dir === 'asc') {
      next.set('dir', 'desc');
    } else {
      next.delete('sort');
      next.delete('dir');
    }
    const s = next.toString();
    return s ? `${pathname}?${s}` : pathname;
  };

  const defs = useMemo<ColumnDef<TZooTableRow>[]>(
    () =>
      columns.map((id) => ({
        id,
        header: () => {
          const l = columnLabel(id, deviceNames);
          return <span title={l.title}>{l.text}</span>;
        },
        cell: ({ row }) => renderCell(id, row.original),
      })),
    [columns, deviceNames],
  );
  const table = useReactTable({
    data: rows,
    columns: defs,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    getRowId: (r) => r.id,
  });

  return (
    <ScrollFrame label={`${sectionSlug} table`}>
      <table className="zoo-table" data-section={sectionSlug}>
        <thead>
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>
              {hg.headers.map((h) => {
                const info = columnInfo(h.column.id);
                const active = sort === h.column.id;
                return (
                  <th
                    key={h.id}
                    className={info.numeric ? 'num' : undefined}
                    aria-sort={active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                    data-column={h.column.id}
                  >
                    <button type="button" className="sort-button" onClick={() => router.push(sortHref(h.column.id), { scroll: false })}>
                      {flexRender(h.column.columnDef.header, h.getContext())}
                      <span className="sort-indicator" aria-hidden="true">
                        {active ? (dir === 'asc' ? '▲' : '▼') : '↕'}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((r) => (
            <tr
              key={r.id}
              data-row-id={r.original.id}
              data-model={r.original.model.slug}
              className={r.original.model.method === 'baseline' ? 'is-baseline' : undefined}
            >
              {r.getVisibleCells().map((c) => (
                <td key={c.id} className={columnInfo(c.column.id).numeric ? 'num' : undefined} data-column={c.column.id}>
                  {flexRender(c.column.columnDef.cell, c.getContext())}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollFrame>
  );
}
