/**
 * Which dataset category each model class index stands for (pure).
 *
 * - Adapter with `classNames`: model class i -> the category whose name equals classNames[i]
 *   (exact, case-sensitive); every name must exist in the dataset and be unique.
 * - Otherwise: the model must have exactly as many classes as the dataset has categories, and model
 *   class i -> the i-th category in ascending id order (PaddleDetection's clsid2catid for COCO).
 * Anything else is a "classes do not match" error naming both sides, except with `unknownNames: 'ignore'`:
 * then a class name that is not a dataset category maps to undefined (its detections are left out, as
 * pycocotools never looks at categories outside the GT).
 */
import { SlimboardError } from '../../errors';

export interface CategoryRef {
  id: number;
  name: string;
}

/** Returns [C] category id per model class. `categories` in any order. */
export function mapModelClassesToCategories(
  model: { classNames?: readonly string[]; numClasses?: number },
  categories: readonly CategoryRef[],
  labels: { model: string; dataset: string },
  options: { unknownNames: 'ignore' },
): Array<number | undefined>;
export function mapModelClassesToCategories(
  model: { classNames?: readonly string[]; numClasses?: number },
  categories: readonly CategoryRef[],
  labels: { model: string; dataset: string },
  options?: { unknownNames?: 'refuse' },
): number[];
export function mapModelClassesToCategories(
  model: { classNames?: readonly string[]; numClasses?: number },
  categories: readonly CategoryRef[],
  labels: { model: string; dataset: string },
  options: { unknownNames?: 'refuse' | 'ignore' } = {},
): Array<number | undefined> {
  const sorted = [...categories].sort((a, b) => a.id - b.id);
  if (model.classNames) {
    const byName = new Map<string, number>();
    for (const c of sorted) if (!byName.has(c.name)) byName.set(c.name, c.id);
    const seen = new Set<string>();
    return model.classNames.map((n, i) => {
      if (seen.has(n))
        throw new SlimboardError('class_mismatch', `${labels.model}: class name "${n}" appears twice in the adapter's classNames`);
      seen.add(n);
      const id = byName.get(n);
      if (id === undefined && options.unknownNames === 'ignore') return undefined;
      if (id === undefined) {
        throw new SlimboardError(
          'class_mismatch',
          `${labels.model}: model class ${i} "${n}" is not a category of ${labels.dataset} (categories: ${sorted
            .slice(0, 10)
            .map((c) => c.name)
            .join(', ')}${sorted.length > 10 ? ', ...' : ''})`,
        );
      }
      return id;
    });
  }
  if (model.numClasses === undefined) {
    throw new SlimboardError(
      'class_mismatch',
      `${labels.model}: the number of model classes is unknown; give classNames or numClasses in --adapter`,
    );
  }
  if (model.numClasses !== sorted.length) {
    throw new SlimboardError(
      'class_mismatch',
      `${labels.model}: model has ${model.numClasses} classes but ${labels.dataset} has ${sorted.length} categories; give classNames in ` +
        `--adapter to map them`,
    );
  }
  return sorted.map((c) => c.id);
}
