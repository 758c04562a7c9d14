import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { RawDataset } from './dataset.js';

/** The package's `data/` folder (two levels above this file, in `src/arena/` and in `dist/arena/`). */
export const DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));

interface BuiltinSet {
  summary: string;
  source: string;
  load(): RawDataset;
}

function read(file: string): Buffer {
  const bytes = readFileSync(`${DATA_DIR}${file}`);
  return file.endsWith('.gz') ? gunzipSync(bytes) : bytes;
}

function digest(...parts: Buffer[]): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p);
  return hash.digest('hex');
}

function numericRows(text: string, separator: RegExp): number[][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => line.split(separator).map(Number));
}

function dataset(name: string, source: string, bytes: Buffer[], x: number[][], target: string[], extra: Partial<RawDataset> = {}): RawDataset {
  const numFeatures = (x[0] as number[]).length;
  return {
    name,
    source,
    digest: digest(...bytes),
    numSamples: x.length,
    numFeatures,
    features: Float64Array.from(x.flat()),
    featureNames: Array.from({ length: numFeatures }, (_, j) => `x${j + 1}`),
    targetName: 'target',
    target,
    ...extra,
  };
}

/**
 * scikit-learn's CSV layout: a first line `<rows>,<features>,<class names...>`, then the features and
 * the class index in the last column.
 */
function classNamedCsv(name: string, file: string, source: string): RawDataset {
  const bytes = read(file);
  const [header, ...rows] = numericRowsWithHeader(bytes.toString('utf8'));
  const classOrder = header.slice(2);
  const x = rows.map((r) => r.slice(0, -1));
  const target = rows.map((r) => classOrder[r.at(-1) as number] as string);
  return dataset(name, source, [bytes], x, target, { classOrder });
}

function numericRowsWithHeader(text: string): [string[], ...number[][]] {
  const [first, ...rest] = text.split('\n').filter((line) => line.trim() !== '');
  return [(first as string).split(','), ...numericRows(rest.join('\n'), /,/)];
}

/** The built-in data sets, by the name `--data` takes; their files and attribution are in `data/`. */
export const BUILTIN_SETS: Readonly<Record<string, BuiltinSet>> = {
  'breast-cancer': {
    summary: 'Wisconsin Diagnostic Breast Cancer: 569 samples, 30 features, binary (212 malignant, 357 benign)',
    source: 'Wisconsin Diagnostic Breast Cancer (W. H. Wolberg, W. N. Street, O. L. Mangasarian), UCI Machine Learning Repository, via scikit-learn',
    load() {
      return classNamedCsv('breast-cancer', 'breast_cancer.csv', this.source);
    },
  },
  digits: {
    summary: 'Handwritten digits: 1797 8x8 images (pixels 0..16), 10 classes',
    source: 'Optical Recognition of Handwritten Digits (E. Alpaydin, C. Kaynak), UCI Machine Learning Repository, via scikit-learn',
    load() {
      const bytes = read('digits.csv.gz');
      const rows = numericRows(bytes.toString('utf8'), /,/);
      const x = rows.map((r) => r.slice(0, -1));
      const target = rows.map((r) => String(r.at(-1)));
      return dataset('digits', this.source, [bytes], x, target, {
        classOrder: Array.from({ length: 10 }, (_, k) => String(k)),
        imageShape: [8, 8],
        featureNames: Array.from({ length: 64 }, (_, j) => `pixel_${Math.floor(j / 8)}_${j % 8}`),
      });
    },
  },
  wine: {
    summary: 'Wine recognition: 178 samples, 13 chemical features, 3 cultivars',
    source: 'Wine recognition (M. Forina et al., PARVUS), UCI Machine Learning Repository, via scikit-learn',
    load() {
      return classNamedCsv('wine', 'wine_data.csv', this.source);
    },
  },
  iris: {
    summary: 'Iris flowers: 150 samples, 4 features, 3 species',
    source: 'Iris (R. A. Fisher, 1936), UCI Machine Learning Repository, via scikit-learn',
    load() {
      return classNamedCsv('iris', 'iris.csv', this.source);
    },
  },
  diabetes: {
    summary: 'Diabetes progression: 442 patients, 10 features, real-valued target (regression)',
    source: 'Diabetes (B. Efron, T. Hastie, I. Johnstone, R. Tibshirani, "Least Angle Regression", 2004), via scikit-learn',
    load() {
      const xBytes = read('diabetes_data_raw.csv.gz');
      const yBytes = read('diabetes_target.csv.gz');
      const x = numericRows(xBytes.toString('utf8'), /\s+/);
      const target = numericRows(yBytes.toString('utf8'), /\s+/).map((r) => String(r[0]));
      return dataset('diabetes', this.source, [xBytes, yBytes], x, target, {
        featureNames: ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6'],
      });
    },
  },
};
