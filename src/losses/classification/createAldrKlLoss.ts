import * as tf from '@tensorflow/tfjs-core';
import { classTargets } from '../_shared/class-targets.js';
import { fail, formatValue } from '../_shared/errors.js';
import { checkOneHotRows } from '../_shared/one-hot.js';
import { type Reduction, type ReductionOptions, reduce } from '../_shared/reduction.js';
import { readSampleIds } from '../_shared/sample-ids.js';
import type { FactoryLossSpec, ParamSpecs, StatefulLoss } from '../_shared/spec.js';
import { stopGradient } from '../_shared/stop-gradient.js';
import { type TensorInput, toTensor } from '../_shared/to-tensor.js';
import { checkNumber, checkOptions } from '../_shared/validate.js';
import { LDR_NORMALIZATIONS, type LdrNormalize, ldrKlValues, normalizeLdrScores } from './ldrKlLoss.js';

const NAME = 'createAldrKlLoss';

/** Added to the λ-update distribution before renormalising, as the authors' code does. */
const KL_SMOOTHING = 1e-5;

export interface AldrKlLossOptions {
  /** Size of the data set the sample ids index into: one λ_i is kept per sample. */
  numSamples: number;
  /** λ0 > 0: the reference (and initial, and largest) λ. @defaultValue `10` */
  lambda0?: number;
  /**
   * α > 1: the code's strength of the pull of λ_i towards λ0; λ_i stays in [λ0(1 − 1/α), λ0].
   * The paper's α may correspond to the code's α·log K/λ0 (see the factory's doc). @defaultValue `2`
   */
  alpha?: number;
  /** c >= 0: margin added to every wrong class. @defaultValue `0.1` */
  margin?: number;
  /** Rescaling of the logits, as in {@link ldrKlLoss}. @defaultValue `'l1Mean'` (the authors' ALDR code) */
  normalize?: LdrNormalize;
  /** Default reduction of `loss()`; a call's own `reduction` overrides it. @defaultValue `'mean'` */
  reduction?: Reduction;
}

/** What `getConfig()` returns: every option, defaults filled in. */
export interface AldrKlLossConfig {
  numSamples: number;
  lambda0: number;
  alpha: number;
  margin: number;
  normalize: LdrNormalize;
  reduction: Reduction;
  [key: string]: unknown;
}

/** The stateful ALDR-KL objective made by {@link createAldrKlLoss}. */
export interface AldrKlLoss extends StatefulLoss {
  /**
   * Updates λ_i of the batch's samples from their current logits, then returns the ALDR-KL loss
   * with the new λ_i. `sampleIds` `[N]` are the samples' integer ids in [0, numSamples); where an
   * id repeats in a batch, each row uses its own new λ and the last row's λ is stored.
   * `options` holds per-batch `weights` and a `reduction` overriding the factory's.
   */
  loss(yTrue: TensorInput, logits: TensorInput, sampleIds: TensorInput, options?: ReductionOptions): tf.Tensor;
  /** A copy of the current λ_i, `[numSamples]` (a new tensor: dispose it). */
  readonly lambdas: tf.Tensor1D;
  /** Sets every λ_i back to λ0. */
  reset(): void;
  /** Frees the state tensor; the object cannot be used afterwards. */
  dispose(): void;
  getConfig(): AldrKlLossConfig;
}

const PARAMS: ParamSpecs = {
  numSamples: { kind: 'data', type: 'integer >= 1', required: true, doc: 'number of samples the ids index into (one λ_i each)' },
  lambda0: { kind: 'number', default: 10, min: 0, exclusiveMin: true, doc: 'λ0: initial and largest λ_i, the centre of the λ regulariser' },
  alpha: { kind: 'number', default: 2, min: 1, exclusiveMin: true, doc: 'α (code parametrisation): λ_i ∈ [λ0(1 − 1/α), λ0]; the paper’s α may be α·log K/λ0' },
  margin: { kind: 'number', default: 0.1, min: 0, doc: 'c: margin added to every wrong class' },
  normalize: {
    kind: 'choice',
    default: 'l1Mean',
    choices: LDR_NORMALIZATIONS,
    doc: "logit rescaling: 'l1Mean' = f/mean|f| (the official ALDR code); 'softplusMean'; 'none'",
  },
};

const CALL_PARAMS: ParamSpecs = {};

/**
 * ALDR-KL, the adaptive label-distributionally-robust loss (Zhu, Ying & Yang): LDR-KL with one λ_i
 * per training sample, updated in closed form each time the sample is seen.
 *
 * With scores s = normalize(f) of the K logits, margin c, and λ_i the sample's stored value
 * (initially λ0), one call does, per sample, what the authors' code (`ALDRLoss_V1`) does:
 *
 *     q_k  = (softmax(s/λ_i)_k + 1e-5) / Σ_j (softmax(s/λ_i)_j + 1e-5)      previous λ_i, no margin
 *     KL_i = Σ_k q_k log(K q_k)
 *     λ_i ← λ0 − λ0 · KL_i / (α log K)                                        stored, no gradient
 *     ℓ_i  = λ_i (log Σ_k exp(d_k/λ_i) − log K) − (α log K / (2 λ0)) (λ_i − λ0)²
 *     d_k  = c·1[k ≠ y] + s_k − s_y
 *
 * The λ update is the closed-form maximiser over λ of Σ_k p_k d_k − λ KL(p ‖ u) − (α log K/(2λ0))(λ − λ0)²
 * at the previous distribution; the last term of ℓ_i is a constant of the parameters. A confidently
 * fitted sample (large KL) gets a smaller λ_i, a sharper worst case; an ambiguous or noisy one keeps a
 * λ_i near λ0, a loss close to linear whose gradient stays bounded. Since KL_i < log K, λ_i stays in
 * (λ0(1 − 1/α), λ0], hence α > 1. The value is often negative; only the gradient matters.
 *
 * Parametrisation: the paper writes the λ regulariser as (α/2)(λ − λ0)², so the paper's α may be the
 * code's α·log K/λ0; this factory keeps the code's α (unverified against the paper's text).
 *
 * Gradient: ∂ℓ_i/∂s = p*_i − e_y with p*_i = softmax(d/λ_i); nothing flows through λ_i. Finite for
 * logits of ±1e4 (with `'l1Mean'` the scores are bounded by K). An all-zero row maps to zero scores.
 *
 * Usage: call `loss(yTrue, logits, sampleIds)` once per batch inside the optimiser's loss function; every
 * call advances the state of the samples it sees, so call it once per step. `dispose()` when done.
 *
 * @example
 * const aldr = createAldrKlLoss({ numSamples: 3 });
 * aldr.loss([0, 2, 1], [[2, 0.5, -1], [0.1, 0.2, 0.3], [-0.5, 1.5, 0]], [0, 1, 2]).print(); // -1.067001
 * aldr.lambdas.print(); // [9.975027, 9.99621, 9.961609]
 *
 * @see D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification:
 *   Consistency, Robustness and Adaptivity", ICML 2023, https://arxiv.org/abs/2112.14869
 *   (official code: github.com/Optimization-AI/ICML2023_LDR, `loss.py`, `ALDRLoss_V1`).
 */
export function createAldrKlLoss(options: AldrKlLossOptions): AldrKlLoss {
  checkOptions(NAME, PARAMS, options);
  const opts = (options ?? {}) as Partial<AldrKlLossOptions> & { weights?: unknown };
  if (opts.weights !== undefined) fail(NAME, '`weights`', 'be passed to loss() with each batch, not to the factory', formatValue(opts.weights));
  const numSamples = checkNumber(NAME, 'numSamples', opts.numSamples, { integer: true, min: 1 });
  const { lambda0 = 10, alpha = 2, margin = 0.1, normalize = 'l1Mean', reduction = 'mean' } = opts;
  const config: AldrKlLossConfig = { numSamples, lambda0, alpha, margin, normalize, reduction };

  let state: tf.Variable | null = tf.tidy(() => tf.variable(tf.fill([numSamples], lambda0), false));

  const live = (): tf.Variable => {
    if (state === null) fail(NAME, 'the loss object', 'be in use', 'a call after dispose()');
    return state;
  };

  const loss = (yTrue: TensorInput, logits: TensorInput, sampleIds: TensorInput, callOptions: ReductionOptions = {}): tf.Tensor => {
    const lambdas = live();
    checkOptions(NAME, CALL_PARAMS, callOptions);
    return tf.tidy(() => {
      const $yTrue = toTensor(NAME, 'yTrue', yTrue);
      const { logits: f, hardTargets } = classTargets(NAME, $yTrue, logits);
      if ($yTrue.rank === 2 && $yTrue.shape[1] !== 1) checkOneHotRows(NAME, 'yTrue', hardTargets);
      const [n, k] = f.shape;
      const ids = readSampleIds(NAME, sampleIds, n, 'logits', numSamples);
      const logK = Math.log(k);

      const s = normalizeLdrScores(f, normalize);
      const previous = tf.gather(lambdas, tf.tensor1d(ids, 'int32'));
      const q0 = tf.add(tf.softmax(tf.div(s, tf.expandDims(previous, 1))), KL_SMOOTHING);
      const q = tf.div(q0, tf.sum(q0, 1, true));
      const kl = tf.sum(tf.mul(q, tf.log(tf.mul(q, k))), 1);
      const updated = stopGradient(tf.sub(lambda0, tf.mul(kl, lambda0 / (alpha * logK))) as tf.Tensor1D);

      // Store the new λ of each id; a repeated id keeps its last row's value.
      const lastRow = new Map<number, number>();
      ids.forEach((id, row) => {
        lastRow.set(id, row);
      });
      const rows = Int32Array.from(lastRow.values());
      // Not tf.tensorScatterUpdate: its cpu kernel writes into its input's buffer, which copies share.
      const targetIds = tf.tensor2d(Int32Array.from(lastRow.keys()), [rows.length, 1], 'int32');
      const written = tf.scatterND(targetIds, tf.ones([rows.length]), [numSamples]);
      const fresh = tf.scatterND(targetIds, tf.gather(updated, tf.tensor1d(rows, 'int32')), [numSamples]);
      lambdas.assign(tf.add(tf.mul(lambdas, tf.sub(1, written)), fresh));

      const penalty = tf.mul(tf.square(tf.sub(updated, lambda0)), (alpha * logK) / (2 * lambda0));
      const losses = tf.sub(ldrKlValues(s, hardTargets, margin, updated), penalty);
      return reduce(NAME, losses, { reduction: callOptions.reduction ?? reduction, ...(callOptions.weights === undefined ? {} : { weights: callOptions.weights }) });
    });
  };

  return {
    loss,
    get lambdas(): tf.Tensor1D {
      return tf.clone(live()) as tf.Tensor1D;
    },
    reset(): void {
      const lambdas = live();
      tf.tidy(() => lambdas.assign(tf.fill([numSamples], lambda0)));
    },
    dispose(): void {
      state?.dispose();
      state = null;
    },
    getConfig(): AldrKlLossConfig {
      return { ...config };
    },
  };
}

export const createAldrKlLossSpec: FactoryLossSpec = {
  kind: 'factory',
  id: 'createAldrKlLoss',
  family: 'classification',
  summary: 'Adaptive LDR-KL: LDR-KL with a per-sample λ_i updated in closed form each step (stateful)',
  formula: 'λ_i ← λ0 − λ0·KL(q_i‖u)/(α log K);  ℓ_i = λ_i (log Σ_k exp(d_k/λ_i) − log K) − (α log K/(2λ0))(λ_i − λ0)²',
  create: (options) => createAldrKlLoss(options as AldrKlLossOptions),
  target: 'classIndex',
  prediction: 'logits',
  tasks: ['binary', 'multiclass'],
  params: PARAMS,
  properties: ['scaleInvariant'],
  reference:
    'D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for Multi-class Classification: Consistency, Robustness and Adaptivity", ICML 2023, https://arxiv.org/abs/2112.14869',
  seed: 6,
};
