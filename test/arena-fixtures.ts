/**
 * Deterministic `ArenaResults` for the report's tests: a binary task (3 losses, 2 seeds, 5 epochs,
 * one failed trial, reliability bins) and a regression task (no classes, no reliability bins).
 */
import type { ArenaResults, LossConfig, MetricInfo, ReliabilityBin, TrialResult } from '../src/arena/results.js';

interface FixtureSpec {
  task: 'binary' | 'regression';
  losses: LossConfig[];
  metricInfo: Record<string, MetricInfo>;
  /** Test value of each metric per loss (before a small per-seed jitter). */
  levels: Record<string, Record<string, number>>;
  primaryMetric: string;
  seeds: number[];
  epochs: number;
  /** Trials that fail: loss key → seed. */
  failures?: Array<{ loss: string; seed: number; error: string; epochs: number }>;
}

/** mulberry32, as in test/helpers.ts (kept here so the fixtures load outside the test runner). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sampleStd = (xs: number[]) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

/** Two-sided paired t-test p-value for one degree of freedom (two seeds), NaN otherwise. */
function pairedP(diffs: number[]): number {
  if (diffs.length !== 2) return Number.NaN;
  const sd = sampleStd(diffs);
  if (sd === 0) return Number.NaN;
  const t = mean(diffs) / (sd / Math.sqrt(diffs.length));
  return 1 - (2 / Math.PI) * Math.atan(Math.abs(t));
}

function bins(random: () => number, skew: number): ReliabilityBin[] {
  return Array.from({ length: 10 }, (_, i) => {
    const lower = i / 10;
    const upper = (i + 1) / 10;
    const confidence = lower + 0.05 + (random() - 0.5) * 0.04;
    const accuracy = Math.min(1, Math.max(0, confidence + skew * (confidence - 0.5) + (random() - 0.5) * 0.06));
    return { lower, upper, confidence, accuracy, count: i === 4 ? 0 : 5 + Math.floor(random() * 20) };
  });
}

function build(spec: FixtureSpec): ArenaResults {
  const random = rng(7);
  const metrics = Object.keys(spec.metricInfo);
  const trials: TrialResult[] = [];
  spec.losses.forEach((loss, li) => {
    for (const seed of spec.seeds) {
      const failure = spec.failures?.find((f) => f.loss === loss.key && f.seed === seed);
      const epochs = failure?.epochs ?? spec.epochs;
      const test: Record<string, number> = {};
      for (const m of metrics) test[m] = (spec.levels[loss.key]?.[m] ?? 0.5) + (random() - 0.5) * 0.02;
      const final = test[spec.primaryMetric] as number;
      const higher = spec.metricInfo[spec.primaryMetric]?.higherIsBetter ?? true;
      const curve = Array.from({ length: epochs }, (_, e) => {
        const progress = 1 - 0.6 ** (e + 1);
        const start = higher ? final * 0.6 : final * 1.8;
        const validation: Record<string, number> = {};
        for (const m of metrics) validation[m] = m === spec.primaryMetric ? start + (final - start) * progress : (test[m] as number);
        return { epoch: e + 1, trainLoss: 0.7 * 0.8 ** e, validation, seconds: 0.05 + li * 0.01 };
      });
      trials.push({
        loss: loss.key,
        seed,
        status: failure ? 'failed' : 'done',
        ...(failure ? { error: failure.error } : {}),
        epochs,
        bestEpoch: failure ? 0 : epochs,
        secondsPerEpoch: 0.05 + li * 0.01,
        test: failure ? {} : test,
        curve,
        ...(spec.task === 'binary' && !failure ? { reliability: bins(random, (li - 1) * 0.3) } : {}),
      });
    }
  });

  const baseline = spec.losses[0]?.key as string;
  const done = (key: string) => trials.filter((t) => t.loss === key && t.status === 'done');
  const summary = spec.losses.map((loss) => {
    const mine = done(loss.key);
    const base = done(baseline);
    const out = {
      loss: loss.key,
      metrics: {} as Record<string, { mean: number; std: number; n: number }>,
      vsBaseline: {} as Record<string, { diff: number; pValue: number }>,
      secondsPerEpoch: mean(mine.map((t) => t.secondsPerEpoch)),
    };
    for (const m of metrics) {
      const xs = mine.map((t) => t.test[m] as number);
      out.metrics[m] = { mean: xs.length ? mean(xs) : Number.NaN, std: xs.length ? sampleStd(xs) : Number.NaN, n: xs.length };
      const diffs = mine.flatMap((t) => {
        const b = base.find((x) => x.seed === t.seed);
        return b ? [(t.test[m] as number) - (b.test[m] as number)] : [];
      });
      out.vsBaseline[m] = { diff: diffs.length ? mean(diffs) : Number.NaN, pValue: pairedP(diffs) };
    }
    return out;
  });
  const best: Record<string, string> = {};
  for (const m of metrics) {
    const higher = spec.metricInfo[m]?.higherIsBetter ?? true;
    const ranked = summary.filter((s) => Number.isFinite(s.metrics[m]?.mean)).sort((a, b) => {
      const d = (a.metrics[m]?.mean as number) - (b.metrics[m]?.mean as number);
      return higher ? -d : d;
    });
    if (ranked[0]) best[m] = ranked[0].loss;
  }

  return {
    losskitVersion: '0.1.0',
    tfjsVersion: '4.22.0',
    backend: 'cpu',
    createdAt: '2025-03-14T09:26:53.589Z',
    dataset:
      spec.task === 'binary'
        ? {
            name: 'breast-cancer',
            source: 'UCI Breast Cancer Wisconsin (Diagnostic)',
            task: 'binary',
            target: 'diagnosis',
            numSamples: 569,
            numFeatures: 30,
            classes: ['benign', 'malignant'],
            classCounts: [214, 127],
            splits: { train: 0.6, validation: 0.2, test: 0.2 },
          }
        : {
            name: 'housing.csv',
            source: '/data/housing.csv',
            task: 'regression',
            target: 'price',
            numSamples: 1000,
            numFeatures: 8,
            splits: { train: 600, validation: 200, test: 200 },
          },
    config: {
      seeds: spec.seeds,
      maxEpochs: spec.epochs,
      patience: 3,
      batchSize: 32,
      optimizer: 'adam',
      learningRate: 0.01,
      model: 'mlp(32,16)',
      baseline,
      primaryMetric: spec.primaryMetric,
      workers: 2,
    },
    losses: spec.losses,
    metricInfo: spec.metricInfo,
    trials,
    summary,
    best,
  };
}

export const BINARY_LOSSES: LossConfig[] = [
  { key: 'sigmoidCrossEntropy', id: 'sigmoidCrossEntropy', options: {} },
  { key: 'sigmoidFocalLoss:gamma=2', id: 'sigmoidFocalLoss', options: { gamma: 2 } },
  { key: 'generalizedCrossEntropy:q=0.7', id: 'generalizedCrossEntropy', options: { q: 0.7 } },
];

/** Binary task: 3 losses × 2 seeds × 5 epochs; `sigmoidFocalLoss:gamma=2` fails on seed 2. */
export function binaryResults(): ArenaResults {
  return build({
    task: 'binary',
    losses: BINARY_LOSSES.map((l) => ({ ...l, options: { ...l.options } })),
    metricInfo: {
      accuracy: { label: 'Accuracy', higherIsBetter: true },
      auc: { label: 'ROC AUC', higherIsBetter: true },
      logLoss: { label: 'Log loss', higherIsBetter: false },
      ece: { label: 'ECE', higherIsBetter: false },
    },
    levels: {
      sigmoidCrossEntropy: { accuracy: 0.95, auc: 0.985, logLoss: 0.13, ece: 0.031 },
      'sigmoidFocalLoss:gamma=2': { accuracy: 0.955, auc: 0.99, logLoss: 0.16, ece: 0.052 },
      'generalizedCrossEntropy:q=0.7': { accuracy: 0.93, auc: 0.975, logLoss: 0.19, ece: 0.044 },
    },
    primaryMetric: 'auc',
    seeds: [1, 2],
    epochs: 5,
    failures: [{ loss: 'sigmoidFocalLoss:gamma=2', seed: 2, epochs: 3, error: 'sigmoidFocalLoss: expected logits to be finite, got NaN at epoch 3' }],
  });
}

/** Regression task: 3 losses × 2 seeds × 5 epochs, no classes and no reliability bins. */
export function regressionResults(): ArenaResults {
  return build({
    task: 'regression',
    losses: [
      { key: 'meanSquaredError', id: 'meanSquaredError', options: {} },
      { key: 'huberLoss:delta=1', id: 'huberLoss', options: { delta: 1 } },
      { key: 'logCoshLoss', id: 'logCoshLoss', options: {} },
    ],
    metricInfo: {
      rmse: { label: 'RMSE', higherIsBetter: false },
      mae: { label: 'MAE', higherIsBetter: false },
      r2: { label: 'R²', higherIsBetter: true },
    },
    levels: {
      meanSquaredError: { rmse: 42.1, mae: 30.5, r2: 0.81 },
      'huberLoss:delta=1': { rmse: 40.3, mae: 28.9, r2: 0.83 },
      logCoshLoss: { rmse: 41.0, mae: 29.2, r2: 0.82 },
    },
    primaryMetric: 'rmse',
    seeds: [1, 2],
    epochs: 5,
  });
}

/** A hostile string that must show as text wherever it appears. */
export const HOSTILE = '<img src=x onerror=alert(1)>';

/**
 * The binary results with hostile text everywhere the data reaches the page: a class name, a loss key
 * (in losses, trials, summary and best), a metric label, the data set's name and an error message.
 */
export function hostileResults(): ArenaResults {
  const r = binaryResults();
  const old = 'generalizedCrossEntropy:q=0.7';
  const rename = (k: string) => (k === old ? HOSTILE : k);
  r.dataset.classes = ['benign', HOSTILE];
  r.dataset.name = `"><script>alert(2)</script>`;
  r.losses = r.losses.map((l) => ({ ...l, key: rename(l.key), options: l.key === old ? { note: HOSTILE } : l.options }));
  r.trials = r.trials.map((t) => ({ ...t, loss: rename(t.loss), ...(t.error ? { error: `</pre><script>alert(3)</script>${HOSTILE}` } : {}) }));
  r.summary = r.summary.map((s) => ({ ...s, loss: rename(s.loss) }));
  for (const m of Object.keys(r.best)) r.best[m] = rename(r.best[m] as string);
  r.metricInfo.ece = { label: `ECE ${HOSTILE}`, higherIsBetter: false };
  return r;
}

const VOID_ELEMENTS = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', 'wbr', 'col', 'source']);

/**
 * Problems with a piece of HTML / SVG markup as these report builders write it: tags that do not nest,
 * unquoted attribute values, a raw `<` or `>` left in text, or NaN / Infinity / undefined written out.
 * An empty list means the markup is well formed in this sense.
 */
export function markupErrors(markup: string): string[] {
  const errors: string[] = [];
  const stack: string[] = [];
  const body = markup.replace(/^<!DOCTYPE html>\s*/i, '');
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+(?:="[^"]*"|='[^']*')?)*)\s*(\/?)>/g;
  let last = 0;
  let m: RegExpExecArray | null = tag.exec(body);
  while (m !== null) {
    const text = body.slice(last, m.index);
    if (/[<>]/.test(text)) errors.push(`raw < or > in text: ${JSON.stringify(text.slice(0, 60))}`);
    const [, close, name, , selfClose] = m;
    const lower = (name as string).toLowerCase();
    if (close) {
      const open = stack.pop();
      if (open !== lower) errors.push(`</${lower}> closes <${open}>`);
    } else if (!selfClose && !VOID_ELEMENTS.has(lower)) stack.push(lower);
    last = m.index + m[0].length;
    m = tag.exec(body);
  }
  const rest = body.slice(last);
  if (/[<>]/.test(rest)) errors.push(`raw < or > after the last tag: ${JSON.stringify(rest.slice(0, 60))}`);
  if (stack.length > 0) errors.push(`unclosed: ${stack.join(', ')}`);
  const geometry = /\s(?:x|y|x1|x2|y1|y2|cx|cy|r|width|height|d|points|viewBox|transform)="[^"]*(?:NaN|Infinity|undefined)/;
  if (geometry.test(markup)) errors.push('NaN, Infinity or undefined in a coordinate');
  if (/>\s*(?:NaN|undefined)\b/.test(markup)) errors.push('NaN or undefined written as a value');
  return errors;
}

/**
 * A tiny regression CSV for end-to-end runs: `rows` rows of three features f1..f3 in [−2, 2] and a
 * real target y = 3·f1 − 2·f2 + 0.5·f3² + noise (three decimals, so the task is inferred as regression).
 */
export function regressionCsv(rows = 60): string {
  const random = rng(2024);
  const lines = ['f1,f2,f3,y'];
  for (let i = 0; i < rows; i++) {
    const x = [random() * 4 - 2, random() * 4 - 2, random() * 4 - 2] as [number, number, number];
    const y = 3 * x[0] - 2 * x[1] + 0.5 * x[2] ** 2 + (random() - 0.5) * 0.4;
    lines.push(`${x.map((v) => v.toFixed(3)).join(',')},${y.toFixed(3)}`);
  }
  return `${lines.join('\n')}\n`;
}
