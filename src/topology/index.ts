/**
 * Persistent homology of 2D and 3D images (cubical complexes, V-construction) and the Betti
 * matching of two barcodes: plain TypeScript on typed arrays, no tensors.
 */
export { type BettiMatchingOptions, type BettiMatchingResult, bettiMatching, type DimensionMatching, type MatchedPair } from './bettiMatching.js';
export { type BettiNumbersOptions, bettiNumbers } from './bettiNumbers.js';
export { type Barcode, type CubicalPersistenceOptions, cubicalPersistence, type EssentialPair, type PersistencePair } from './cubicalPersistence.js';
export {
  type BettiMatching3dOptions,
  type BettiMatching3dResult,
  bettiMatching3d,
  type DimensionMatching3dResult,
  type MatchedPair3d,
} from './bettiMatching3d.js';
export { type BettiNumbers3dOptions, bettiNumbers3d } from './bettiNumbers3d.js';
export {
  type Barcode3d,
  type CubicalPersistence3dOptions,
  cubicalPersistence3d,
  type EssentialPair3d,
  type PersistencePair3d,
  type Voxel,
} from './cubicalPersistence3d.js';
export type { Filtration, ImageInput, VolumeInput } from './image.js';
