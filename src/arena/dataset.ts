/** A table of numeric features and one target column, as read from a CSV file or a built-in set. */
export interface RawDataset {
  /** Built-in name (`breast-cancer`) or the CSV file's base name. */
  name: string;
  /** File path, or the attribution of a built-in set. */
  source: string;
  /** SHA-256 of the bytes read, so a changed file is a different run. */
  digest: string;
  numSamples: number;
  numFeatures: number;
  /** Row-major `[numSamples, numFeatures]`, every value finite. */
  features: Float64Array;
  featureNames: string[];
  targetName: string;
  /** The target column as written (class names or numbers), one per row. */
  target: string[];
  /** Class names in the set's own order, where it declares one (built-in sets). */
  classOrder?: string[];
  /** `[height, width]` where each row is a single-channel image, row-major (digits: 8x8). */
  imageShape?: [number, number];
}
