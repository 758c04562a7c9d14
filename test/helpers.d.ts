import * as tf from '@tensorflow/tfjs-core';
/** A small seeded generator (mulberry32), so random test inputs reproduce. */
export declare function rng(seed: number): () => number;
/** Standard normal draws (Box–Muller) from a seeded generator. */
export declare function normals(random: () => number, n: number): number[];
/** An [n, c] matrix of N(0, scale²) draws. */
export declare function randomMatrix(random: () => number, n: number, c: number, scale?: number): number[][];
/** n integer labels in [0, c). */
export declare function randomLabels(random: () => number, n: number, c: number): number[];
/** Values of a tensor as a flat number array (disposes nothing). */
export declare function values(t: tf.Tensor): number[];
/**
 * Asserts |actual − expected| <= atol + rtol·|expected| element by element, and that shapes of the flat
 * lists agree. Unlike tfjs' expectArraysClose, NaN and ±Infinity never pass as equal to anything.
 */
export declare function expectClose(actual: ArrayLike<number> | number, expected: ArrayLike<number> | number, rtol?: number, atol?: number): void;
/** Asserts every value is finite. */
export declare function expectFinite(t: tf.Tensor | ArrayLike<number>): void;
/**
 * Central finite differences of a float64 reference f at x (flat), step h: the numeric gradient
 * against which tf.grad of the float32 loss is compared.
 */
export declare function numericGradient(f: (x: number[]) => number, x: number[], h?: number): number[];
/** Counts tensors allocated by `body` that are still alive afterwards (its result disposed). */
export declare function leakedTensors(body: () => tf.Tensor | tf.Tensor[] | undefined | void): number;
/** Flattens nested number arrays. */
export declare function flat(x: number | readonly unknown[]): number[];
