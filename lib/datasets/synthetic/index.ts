export { SHAPE_CLASSES, type ShapeClass } from './shapes';
export { renderScene, DEFAULT_SCENE_OPTIONS, type Scene, type SceneObject, type SceneOptions } from './scene';
export { buildCocoDataset, SYNTHETIC_DATASET_VERSION, type CocoDataset } from './coco-format';
export { vocAnnotationXml } from './voc-format';
export { writeSyntheticSplit, renderSplitImage, imageStem, encodePng, type WriteSplitOptions, type WriteSplitResult } from './write-split';
export { Prng, imagePrng, hashString32 } from './prng';

/** Default seed of the demo zoo's dataset (the shipped models were trained and evaluated on it). */
export const DEMO_DATASET_SEED = 20261129;
