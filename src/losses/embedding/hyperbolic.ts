import * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape, formatValue } from '../_shared/errors.js';
import { safeNorm } from '../_shared/numerics.js';
import { stopGradient } from '../_shared/stop-gradient.js';
import { type TensorInput, toFloat } from '../_shared/to-tensor.js';
import { checkOptionKeys, checkOptionalBoolean } from '../_shared/option-keys.js';
import { checkNotEmpty, checkNumber, checkRank, checkSameShape } from '../_shared/validate.js';

/*
 * The Poincaré ball of curvature −c, B_c = {x : c‖x‖² < 1}, and the operations hyperbolic heads are
 * built from (Ganea, Bécigneul, Hofmann, "Hyperbolic Neural Networks", NeurIPS 2018,
 * https://arxiv.org/abs/1805.09112). Every function works on the last axis: points and tangent
 * vectors are rows `[..., d]`. The curvature defaults to c = 0.1, the value Hyp-OC trains with.
 */

/** Curvature c > 0 of the ball (radius 1/√c). */
export interface CurvatureOptions {
  /** c > 0: the ball has curvature −c and radius 1/√c. @defaultValue `0.1` */
  c?: number;
}

/** The default curvature of the hyperbolic functions (Hyp-OC's c). */
export const DEFAULT_CURVATURE = 0.1;
/** Relative margin kept from the boundary by projections: points end within radius (1 − 1e-3)/√c. */
const BALL_MARGIN = 1e-3;
/** Smallest norm a tangent vector is divided by (the reference clamps at 1e-5). */
const MIN_NORM = 1e-5;
/** artanh's argument is clamped to 1 − 1e-5, where its derivative is 5e4. */
const ARTANH_MAX = 1 - 1e-5;
/** tanh's argument is clamped to ±15, where tanh is 1 in float32. */
const TANH_MAX = 15;

/** Reads and checks the curvature option. */
export function readCurvature(fn: string, c: unknown): number {
  return c === undefined ? DEFAULT_CURVATURE : checkNumber(fn, 'c', c, { min: 0, exclusiveMin: true });
}

/** Row norms `[..., 1]`, with a zero gradient (not NaN) at the origin. */
function norm(x: tf.Tensor): tf.Tensor {
  return tf.expandDims(safeNorm(x), -1);
}

/** Σ x² along the last axis, `[..., 1]`. */
function squaredNorm(x: tf.Tensor): tf.Tensor {
  return tf.sum(tf.square(x), -1, true);
}

/** Scales rows whose norm exceeds (1 − 1e-3)/√c back onto that radius; other rows are unchanged. */
export function projectToBallT(x: tf.Tensor, c: number): tf.Tensor {
  const maxNorm = (1 - BALL_MARGIN) / Math.sqrt(c);
  return tf.mul(x, tf.minimum(1, tf.div(maxNorm, tf.maximum(norm(x), MIN_NORM))));
}

/** Möbius addition x ⊕_c y, rows broadcast; `epsilon` is added to the denominator. Not projected. */
export function mobiusAddT(x: tf.Tensor, y: tf.Tensor, c: number, epsilon: number): tf.Tensor {
  const xy = tf.sum(tf.mul(x, y), -1, true);
  const x2 = squaredNorm(x);
  const y2 = squaredNorm(y);
  const twoCxy = tf.mul(xy, 2 * c);
  const numerator = tf.add(tf.mul(tf.add(tf.add(twoCxy, 1), tf.mul(y2, c)), x), tf.mul(tf.sub(1, tf.mul(x2, c)), y));
  const denominator = tf.add(tf.add(tf.add(twoCxy, 1), tf.mul(tf.mul(x2, y2), c * c)), epsilon);
  return tf.div(numerator, denominator);
}

/** exp_0(u) = tanh(√c‖u‖) u / (√c‖u‖), ‖u‖ clamped at 1e-5 and the tanh argument at 15. Not projected. */
export function expMap0T(u: tf.Tensor, c: number): tf.Tensor {
  const sqrtC = Math.sqrt(c);
  const scaled = tf.mul(tf.maximum(norm(u), MIN_NORM), sqrtC);
  return tf.div(tf.mul(u, tf.tanh(tf.minimum(scaled, TANH_MAX))), scaled);
}

/** log_0(y) = artanh(√c‖y‖) y / (√c‖y‖), ‖y‖ clamped at 1e-5 and the artanh argument at 1 − 1e-5. */
export function logMap0T(y: tf.Tensor, c: number): tf.Tensor {
  const sqrtC = Math.sqrt(c);
  const scaled = tf.mul(tf.maximum(norm(y), MIN_NORM), sqrtC);
  return tf.div(tf.mul(y, tf.atanh(tf.minimum(scaled, ARTANH_MAX))), scaled);
}

/** exp_p(u) = p ⊕_c (tanh(√c λ_p ‖u‖ / 2) u / (√c‖u‖)), λ_p = 2 / (1 − c‖p‖²). Not projected. */
export function expMapT(u: tf.Tensor, p: tf.Tensor, c: number, epsilon: number): tf.Tensor {
  const sqrtC = Math.sqrt(c);
  const uNorm = tf.maximum(norm(u), MIN_NORM);
  const lambda = tf.div(2, tf.sub(1, tf.mul(squaredNorm(p), c)));
  const angle = tf.minimum(tf.mul(tf.mul(lambda, uNorm), sqrtC / 2), TANH_MAX);
  const step = tf.div(tf.mul(u, tf.tanh(angle)), tf.mul(uNorm, sqrtC));
  return mobiusAddT(p, step, c, epsilon);
}

/** The distance form: `'artanh'` is the Poincaré distance; `'atan'` the Hyp-OC code's variant. */
export type PoincareDistanceForm = 'artanh' | 'atan';

export const POINCARE_DISTANCE_FORMS: readonly PoincareDistanceForm[] = ['artanh', 'atan'];

/**
 * d_c(x, y) = (2/√c) artanh(√c ‖(−x) ⊕_c y‖) along the last axis, `[...]`; `'atan'` puts atan in
 * place of artanh. The artanh argument is clamped at 1 − 1e-5.
 */
export function poincareDistanceT(x: tf.Tensor, y: tf.Tensor, c: number, form: PoincareDistanceForm, epsilon: number): tf.Tensor {
  const sqrtC = Math.sqrt(c);
  const r = tf.mul(safeNorm(mobiusAddT(tf.neg(x), y, c, epsilon)), sqrtC);
  const inverse = form === 'atan' ? tf.atan(r) : tf.atanh(tf.minimum(r, ARTANH_MAX));
  return tf.mul(inverse, 2 / sqrtC);
}

/**
 * The identity in value whose gradient is rescaled by the Riemannian factor (1 − c‖y‖²)² / 4 of the
 * Poincaré metric at y (row-wise, a constant of the backward pass).
 */
function riemannianRescale(y: tf.Tensor, c: number): tf.Tensor {
  const factor = stopGradient(tf.div(tf.square(tf.sub(1, tf.mul(squaredNorm(y), c))), 4));
  const fixed = stopGradient(y);
  return tf.add(fixed, tf.mul(factor, tf.sub(y, fixed)));
}

/** What `toPoincare` does besides the exponential map. */
export interface ToPoincareOptions extends CurvatureOptions {
  /** r > 0: feature rows longer than r are scaled to norm r first (Hyp-OC: 2); a large r turns clipping off. @defaultValue `2` */
  clipRadius?: number;
  /** A tangent vector at the origin `[d]` whose exponential map is the base point of the map (Hyp-OC learns it, starting at 0). @defaultValue the origin */
  basePoint?: TensorInput;
  /**
   * Rescale the gradient of the output by (1 − c‖y‖²)²/4, the Riemannian gradient the reference's
   * `ToPoincare(riemannian=True)` uses; then `tf.grad` is no longer the derivative of the value.
   * @defaultValue `false`
   */
  riemannianGradient?: boolean;
  /** Added to the Möbius denominator (the reference adds 1e-5). @defaultValue `0` */
  epsilon?: number;
}

/** Feature clipping, exponential map and projection onto the ball: Hyp-OC's `ToPoincare`. */
export function toPoincareT(x: tf.Tensor, c: number, clipRadius: number, basePoint: tf.Tensor | undefined, riemannian: boolean, epsilon: number): tf.Tensor {
  const clipped = tf.mul(x, tf.minimum(1, tf.div(clipRadius, tf.add(norm(x), 1e-5))));
  const mapped = basePoint === undefined ? expMap0T(clipped, c) : expMapT(clipped, projectToBallT(expMap0T(basePoint, c), c), c, epsilon);
  const y = projectToBallT(mapped, c);
  return riemannian ? riemannianRescale(y, c) : y;
}

/**
 * Logits of hyperbolic multinomial logistic regression `[N, K]` of ball points `x` `[N, d]`, with
 * hyperplane normals A `[K, d]` and offsets P `[K, d]` (tangent vectors at 0, mapped by exp_0):
 *
 *     p_k = exp_0(P_k)    a_k = A_k (1 − c‖p_k‖²)    λ_k = 2 / (1 − c‖p_k‖²)    w = (−p_k) ⊕_c x
 *     logit_k(x) = (λ_k ‖a_k‖ / √c) · asinh( 2√c ⟨w, a_k⟩ / ((1 − c‖w‖²) ‖a_k‖) )
 */
export function hyperbolicMlrLogitsT(x: tf.Tensor2D, normals: tf.Tensor2D, offsets: tf.Tensor2D, c: number, epsilon: number): tf.Tensor2D {
  const sqrtC = Math.sqrt(c);
  const p = projectToBallT(expMap0T(offsets, c), c); // [K, d]
  const conformal = tf.sub(1, tf.mul(squaredNorm(p), c)); // [K, 1]
  const a = tf.mul(normals, conformal); // [K, d]
  const aNorm = tf.maximum(norm(a), 1e-12); // [K, 1]
  const lambda = tf.div(2, conformal); // [K, 1]
  // w_kn = (−p_k) ⊕ x_n, [K, N, d].
  const w = projectToBallT(mobiusAddT(tf.expandDims(tf.neg(p), 1), tf.expandDims(x, 0), c, epsilon), c);
  const inner = tf.sum(tf.mul(w, tf.expandDims(a, 1)), -1); // [K, N]
  const wConformal = tf.sub(1, tf.mul(tf.sum(tf.square(w), -1), c)); // [K, N]
  const argument = tf.div(tf.mul(inner, 2 * sqrtC), tf.mul(wConformal, aNorm));
  const logits = tf.mul(tf.div(tf.mul(lambda, aNorm), sqrtC), tf.asinh(argument)); // [K, N]
  return tf.transpose(logits) as tf.Tensor2D;
}

/* ---------- public, checked functions ---------- */

function readPoint(fn: string, name: string, x: TensorInput): tf.Tensor {
  const t = toFloat(fn, name, x);
  if (t.rank < 1) fail(fn, `\`${name}\``, 'have rank 1 or more (points on the last axis)', `shape ${formatShape(t.shape)}`);
  checkNotEmpty(fn, name, t);
  return t;
}

function readEpsilon(fn: string, epsilon: unknown): number {
  return epsilon === undefined ? 0 : checkNumber(fn, 'epsilon', epsilon, { min: 0 });
}

/** Möbius addition options. */
export interface MobiusAddOptions extends CurvatureOptions {
  /** Added to the denominator (the reference adds 1e-5). @defaultValue `0` */
  epsilon?: number;
  /** Project the sum back into the ball (radius (1 − 1e-3)/√c), against rounding at the boundary. @defaultValue `true` */
  project?: boolean;
}

function mobiusAdd_(x: TensorInput, y: TensorInput, options: MobiusAddOptions = {}): tf.Tensor {
  const fn = 'mobiusAdd';
  checkOptionKeys(fn, options, ['c', 'epsilon', 'project']);
  const c = readCurvature(fn, options.c);
  const epsilon = readEpsilon(fn, options.epsilon);
  const $x = readPoint(fn, 'x', x);
  const $y = readPoint(fn, 'y', y);
  checkSameShape(fn, 'x', $x, 'y', $y);
  checkOptionalBoolean(fn, 'project', options.project);
  const sum = mobiusAddT($x, $y, c, epsilon);
  return options.project === false ? sum : projectToBallT(sum, c);
}

/**
 * Möbius addition on the Poincaré ball, row-wise along the last axis:
 *
 *     x ⊕_c y = ((1 + 2c⟨x,y⟩ + c‖y‖²) x + (1 − c‖x‖²) y) / (1 + 2c⟨x,y⟩ + c²‖x‖²‖y‖²)
 *
 * the ball's analogue of x + y (not commutative, (−x) ⊕ x = 0). The result is projected onto
 * radius (1 − 1e-3)/√c (`project: false` leaves it), so rounding cannot leave the ball.
 *
 * @param x - Points `[..., d]` inside the ball.
 * @param y - Points of the same shape.
 * @returns Points of the same shape.
 *
 * @example
 * mobiusAdd([0.5, 0.2], [-0.3, 0.4], { c: 0.1 }).print();
 */
export const mobiusAdd = /* @__PURE__ */ tf.op({ mobiusAdd_ });

function expMap0_(u: TensorInput, options: CurvatureOptions = {}): tf.Tensor {
  const fn = 'expMap0';
  checkOptionKeys(fn, options, ['c']);
  const c = readCurvature(fn, options.c);
  return projectToBallT(expMap0T(readPoint(fn, 'u', u), c), c);
}

/**
 * Exponential map at the origin, tangent vectors to ball points: exp_0(u) = tanh(√c‖u‖) u / (√c‖u‖).
 * ‖u‖ is clamped at 1e-5 (exp_0(0) = 0 with gradient 1), the tanh argument at 15, and the result
 * projected onto radius (1 − 1e-3)/√c.
 *
 * @param u - Tangent vectors `[..., d]`.
 * @returns Ball points of the same shape.
 */
export const expMap0 = /* @__PURE__ */ tf.op({ expMap0_ });

function logMap0_(y: TensorInput, options: CurvatureOptions = {}): tf.Tensor {
  const fn = 'logMap0';
  checkOptionKeys(fn, options, ['c']);
  const c = readCurvature(fn, options.c);
  return logMap0T(readPoint(fn, 'y', y), c);
}

/**
 * Logarithmic map at the origin, the inverse of {@link expMap0}: log_0(y) = artanh(√c‖y‖) y / (√c‖y‖),
 * with ‖y‖ clamped at 1e-5 and the artanh argument at 1 − 1e-5.
 *
 * @param y - Ball points `[..., d]`.
 * @returns Tangent vectors of the same shape.
 */
export const logMap0 = /* @__PURE__ */ tf.op({ logMap0_ });

function expMap_(u: TensorInput, base: TensorInput, options: MobiusAddOptions = {}): tf.Tensor {
  const fn = 'expMap';
  checkOptionKeys(fn, options, ['c', 'epsilon', 'project']);
  const c = readCurvature(fn, options.c);
  const epsilon = readEpsilon(fn, options.epsilon);
  const $u = readPoint(fn, 'u', u);
  const $p = readPoint(fn, 'base', base);
  if ($p.shape.at(-1) !== $u.shape.at(-1)) fail(fn, '`u` and `base`', 'have the same last dimension', `${formatShape($u.shape)} and ${formatShape($p.shape)}`);
  checkOptionalBoolean(fn, 'project', options.project);
  const mapped = expMapT($u, $p, c, epsilon);
  return options.project === false ? mapped : projectToBallT(mapped, c);
}

/**
 * Exponential map at a ball point p: exp_p(u) = p ⊕_c (tanh(√c λ_p‖u‖/2) u / (√c‖u‖)), with the
 * conformal factor λ_p = 2/(1 − c‖p‖²); projected onto radius (1 − 1e-3)/√c.
 *
 * @param u - Tangent vectors at `base`, `[..., d]`.
 * @param base - Ball points broadcasting against `u` (e.g. one point `[d]`).
 * @returns Ball points of `u`'s shape.
 */
export const expMap = /* @__PURE__ */ tf.op({ expMap_ });

function projectToBall_(x: TensorInput, options: CurvatureOptions = {}): tf.Tensor {
  const fn = 'projectToBall';
  checkOptionKeys(fn, options, ['c']);
  const c = readCurvature(fn, options.c);
  return projectToBallT(readPoint(fn, 'x', x), c);
}

/**
 * Scales rows whose norm exceeds (1 − 1e-3)/√c back onto that radius (the reference's projection);
 * rows inside it are returned unchanged.
 *
 * @param x - Points `[..., d]`.
 */
export const projectToBall = /* @__PURE__ */ tf.op({ projectToBall_ });

/** Options of the Poincaré distance. */
export interface PoincareDistanceOptions extends CurvatureOptions {
  /**
   * `'artanh'` is the distance; `'atan'` replaces artanh by atan, as Hyp-OC's released loss does
   * (a slip there: for c = 0.1, x = (0.5, 0.2), y = (−0.3, 0.4) it gives 1.602064 instead of
   * 1.675349). @defaultValue `'artanh'`
   */
  form?: PoincareDistanceForm;
  /** Added to the Möbius denominator (the reference adds 1e-5). @defaultValue `0` */
  epsilon?: number;
}

function poincareDistance_(x: TensorInput, y: TensorInput, options: PoincareDistanceOptions = {}): tf.Tensor {
  const fn = 'poincareDistance';
  checkOptionKeys(fn, options, ['c', 'form', 'epsilon']);
  const c = readCurvature(fn, options.c);
  const { form = 'artanh' } = options;
  if (!POINCARE_DISTANCE_FORMS.includes(form)) fail(fn, '`form`', "be one of 'artanh' | 'atan'", formatValue(form));
  const epsilon = readEpsilon(fn, options.epsilon);
  const $x = readPoint(fn, 'x', x);
  const $y = readPoint(fn, 'y', y);
  checkSameShape(fn, 'x', $x, 'y', $y);
  return poincareDistanceT($x, $y, c, form, epsilon);
}

/**
 * Geodesic distance on the Poincaré ball, row-wise along the last axis:
 *
 *     d_c(x, y) = (2/√c) artanh(√c ‖(−x) ⊕_c y‖)
 *
 * It grows without bound towards the boundary, so points near it are far from everything: the
 * room hyperbolic embeddings use for hierarchies and for one-class margins. The artanh argument is
 * clamped at 1 − 1e-5 (finite value and gradient); at x = y the gradient is 0.
 *
 * @param x - Ball points `[..., d]`.
 * @param y - Ball points of the same shape.
 * @returns Distances `[...]` (the last axis reduced).
 *
 * @example
 * poincareDistance([0.5, 0.2], [-0.3, 0.4], { c: 0.1 }).print(); // 1.675349
 */
export const poincareDistance = /* @__PURE__ */ tf.op({ poincareDistance_ });

function toPoincare_(x: TensorInput, options: ToPoincareOptions = {}): tf.Tensor {
  const fn = 'toPoincare';
  checkOptionKeys(fn, options, ['c', 'clipRadius', 'basePoint', 'riemannianGradient', 'epsilon']);
  const c = readCurvature(fn, options.c);
  const clipRadius = options.clipRadius === undefined ? 2 : checkNumber(fn, 'clipRadius', options.clipRadius, { min: 0, exclusiveMin: true });
  const epsilon = readEpsilon(fn, options.epsilon);
  checkOptionalBoolean(fn, 'riemannianGradient', options.riemannianGradient);
  const $x = readPoint(fn, 'x', x);
  let base: tf.Tensor | undefined;
  if (options.basePoint !== undefined) {
    base = toFloat(fn, 'basePoint', options.basePoint);
    checkRank(fn, 'basePoint', base, [1]);
    if (base.shape[0] !== $x.shape.at(-1)) fail(fn, '`basePoint`', `have one entry per feature (${$x.shape.at(-1)})`, `shape ${formatShape(base.shape)}`);
  }
  return toPoincareT($x, c, clipRadius, base, options.riemannianGradient === true, epsilon);
}

/**
 * Maps Euclidean features onto the Poincaré ball as Hyp-OC's `ToPoincare` layer does: rows are
 * clipped to norm r (x·min(1, r/(‖x‖ + 1e-5))), mapped by exp_0 (or by exp at the base point
 * exp_0(basePoint)), and projected onto radius (1 − 1e-3)/√c. Clipping keeps the points away from
 * the boundary (r = 2 and c = 0.1 give norms up to tanh(2√0.1)/√0.1 ≈ 1.79 of a 3.16 radius), where
 * gradients vanish.
 *
 * @param x - Features `[..., d]`.
 * @returns Ball points of the same shape.
 */
export const toPoincare = /* @__PURE__ */ tf.op({ toPoincare_ });

/** Options of the hyperbolic MLR logits. */
export interface HyperbolicMlrOptions extends CurvatureOptions {
  /** Added to the Möbius denominator (the reference adds 1e-5). @defaultValue `0` */
  epsilon?: number;
}

function hyperbolicMlrLogits_(x: TensorInput, normals: TensorInput, offsets: TensorInput, options: HyperbolicMlrOptions = {}): tf.Tensor {
  const fn = 'hyperbolicMlrLogits';
  checkOptionKeys(fn, options, ['c', 'epsilon']);
  const c = readCurvature(fn, options.c);
  const epsilon = readEpsilon(fn, options.epsilon);
  const $x = readPoint(fn, 'x', x);
  checkRank(fn, 'x', $x, [2]);
  const $a = toFloat(fn, 'normals', normals);
  const $p = toFloat(fn, 'offsets', offsets);
  checkRank(fn, 'normals', $a, [2]);
  checkSameShape(fn, 'normals', $a, 'offsets', $p);
  if ($a.shape[1] !== $x.shape[1] || $a.shape[0] === 0) {
    fail(fn, '`normals`', `be [numClasses, ${$x.shape[1]}], one row per class`, `shape ${formatShape($a.shape)}`);
  }
  return hyperbolicMlrLogitsT(projectToBallT($x, c) as tf.Tensor2D, $a as tf.Tensor2D, $p as tf.Tensor2D, c, epsilon);
}

/**
 * Hyperbolic multinomial logistic regression (Ganea et al.; Hyp-OC's `HyperbolicMLR`): the signed,
 * scaled distance of each ball point to K gyroplanes, one per class,
 *
 *     p_k = exp_0(P_k)    a_k = A_k (1 − c‖p_k‖²)    λ_k = 2 / (1 − c‖p_k‖²)    w = (−p_k) ⊕_c x
 *     logit_k(x) = (λ_k ‖a_k‖ / √c) · asinh( 2√c ⟨w, a_k⟩ / ((1 − c‖w‖²) ‖a_k‖) )
 *
 * the hyperbolic counterpart of a linear layer's logits. `x` is projected into the ball first.
 *
 * @param x - Ball points `[N, d]`.
 * @param normals - A `[K, d]`: one hyperplane normal per class (trainable).
 * @param offsets - P `[K, d]`: one offset per class as a tangent vector at 0 (trainable).
 * @returns Logits `[N, K]`.
 */
export const hyperbolicMlrLogits = /* @__PURE__ */ tf.op({ hyperbolicMlrLogits_ });
