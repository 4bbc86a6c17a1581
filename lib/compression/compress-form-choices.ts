import type { Db } from '../db/client';
import { defaultCalibrationDataset } from './compress-form';

/**
 * What the model page's compression form offers: the registered datasets other than the one the model is evaluated
 * on (calibrating on the evaluation images would flatter the measured AP), and the one picked by default.
 */
export async function listCalibrationChoices(
  db: Db,
  evaluationDataset: string,
): Promise<{ datasets: Array<{ slug: string; name: string }>; defaultCalibDataset: string }> {
  const all = await db.dataset.findMany({ select: { slug: true, name: true }, orderBy: { id: 'asc' } });
  const datasets = all.filter((d) => d.slug.toLowerCase() !== evaluationDataset.toLowerCase());
  return { datasets, defaultCalibDataset: defaultCalibrationDataset(datasets, evaluationDataset) };
}
