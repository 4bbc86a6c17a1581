/** Names the demo zoo uses in the database (shared by registration, the zoo page and the CLI). */

/** Slug of the demo's zoo section. */
export const DEMO_SECTION_SLUG = 'demo-shapes';
/** Slug of the manifest as a SourceDocument: the training pipeline's own numbers are `reported` from it. */
export const DEMO_SOURCE_SLUG = 'demo-zoo-manifest';
/** Dataset key of the demo: the Dataset slug and the folder `<dataDir>/datasets/demo-shapes` the workers evaluate on. */
export const DEMO_DATASET_SLUG = 'demo-shapes';
/**
 * The demo's counterparts of the seed's other tables: the same val split read as Pascal VOC (mAP, 11point) and
 * the synthetic faces split in WIDER FACE layout (easy/medium/hard), each a Dataset (folder
 * `<dataDir>/datasets/<slug>`) and a zoo section of its own.
 */
export const DEMO_VOC_DATASET_SLUG = 'demo-shapes-voc';
export const DEMO_FACES_DATASET_SLUG = 'demo-faces';
