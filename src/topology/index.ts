/**
 * Persistent homology of 2D images (cubical complexes, V-construction) and the Betti matching of
 * two barcodes: plain TypeScript on typed arrays, no tensors.
 */
export { type BettiMatchingOptions, type BettiMatchingResult, bettiMatching, type DimensionMatching, type MatchedPair } from './bettiMatching.js';
export { type BettiNumbersOptions, bettiNumbers } from './bettiNumbers.js';
export { type Barcode, type CubicalPersistenceOptions, cubicalPersistence, type EssentialPair, type PersistencePair } from './cubicalPersistence.js';
export type { Filtration, ImageInput } from './image.js';
