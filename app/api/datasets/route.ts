import { runApi } from '../route-wrapper';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/** POST /api/datasets?name=…&format=coco|voc|widerface: register a dataset (body: tar archive of its folder; Bearer token). */
export const POST = runApi.addDataset;

/** GET /api/datasets: the datasets with format, split, counts and sha256 (public). */
export const GET = runApi.datasets;
