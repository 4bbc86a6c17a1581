import { COCO_DETAIL_COLUMNS } from './columns';
import type { TCell, TCocoDetail, TRunInfo, TZooRow } from './row';

/**
 * What the zoo page's table (app/zoo/zoo-table.tsx, a client component) prints of a row: the cells of the columns
 * it shows and the few fields its fixed columns need. Everything passed to a client component is serialised into
 * the page; a full TZooRow also carries every hidden cell, its section with the section's column list, the adapter
 * summary and the run's door and owner. At 20 rows in each of 9 sections that is most of a /zoo response, paid on
 * every request (docs/scale.md, "Load").
 */
export interface TZooTableRow {
  id: string;
  model: Pick<TZooRow['model'], 'slug' | 'name' | 'backbone' | 'dataset' | 'pretraining' | 'method' | 'strategy'>;
  inputSize: number;
  teacher: TZooRow['teacher'];
  download: TZooRow['download'];
  /** The shown columns' cells only. */
  cells: Record<string, TCell>;
  /** Only when a COCO detail column is shown. */
  cocoDetail: TCocoDetail | null;
  /** What the model column's "measuring: n of m jobs done" link needs. */
  run: Pick<TRunInfo, 'id' | 'jobsDone' | 'jobsTotal' | 'jobsFailed'> | null;
}

export function zooTableRow(row: TZooRow, columns: readonly string[]): TZooTableRow {
  const cells: Record<string, TCell> = {};
  for (const c of columns) if (row.cells[c]) cells[c] = row.cells[c];
  const { slug, name, backbone, dataset, pretraining, method, strategy } = row.model;
  const detailShown = COCO_DETAIL_COLUMNS.some((d) => columns.includes(d.id));
  const run = row.run ?? null;
  return {
    id: row.id,
    model: { slug, name, backbone, dataset, pretraining, method, strategy },
    inputSize: row.inputSize,
    teacher: row.teacher,
    download: row.download,
    cells,
    cocoDetail: detailShown ? (row.cocoDetail ?? null) : null,
    run: run && { id: run.id, jobsDone: run.jobsDone, jobsTotal: run.jobsTotal, jobsFailed: run.jobsFailed },
  };
}
