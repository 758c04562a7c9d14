import * as tf from '@tensorflow/tfjs-core';

/**
 * The CNN's layers as matrix products on images laid out `[N, h·w, channels]` (row-major pixels):
 * tfjs-core's CPU kernel for the filter gradient of `conv2d` reads its tensors element by element, and
 * its max-pooling gradient is slow too; written this way, a training step of the digits CNN is about
 * eight times faster, with the same values and gradients.
 */

/**
 * The 3x3 'same' neighbourhoods of an h×w image as a 0/1 matrix `[1, h·w·9, h·w]`: row 9p + t picks the
 * pixel under tap t (row-major over the 3x3 window) of pixel p, or nothing where the tap falls in the
 * zero padding.
 */
export function neighbourhoods(h: number, w: number): tf.Tensor3D {
  const s = new Float32Array(h * w * 9 * h * w);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      for (let t = 0; t < 9; t++) {
        const rr = r + Math.floor(t / 3) - 1;
        const cc = c + (t % 3) - 1;
        if (rr >= 0 && rr < h && cc >= 0 && cc < w) s[((r * w + c) * 9 + t) * h * w + rr * w + cc] = 1;
      }
    }
  }
  return tf.tensor3d(s, [1, h * w * 9, h * w]);
}

/**
 * A 3x3 convolution, stride 1, 'same' zero padding (`tf.conv2d(x, kernel, 1, 'same')` on the images):
 * the patches `[N·h·w, 9·cIn]` (im2col) are `neighbourhoods` times the pixels, and the output is the
 * patches times the kernel reshaped to `[9·cIn, cOut]`.
 *
 * @param x - Images `[N, h·w, cIn]`.
 * @param kernel - `[3, 3, cIn, cOut]`.
 * @param patches - `neighbourhoods(h, w)`.
 * @returns `[N, h·w, cOut]`.
 */
export function conv3x3(x: tf.Tensor3D, kernel: tf.Tensor4D, patches: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, hw, c] = x.shape;
    const cOut = kernel.shape[3];
    const cols = tf.reshape(tf.matMul(patches, x), [n * hw, 9 * c]);
    return tf.reshape(tf.matMul(cols, tf.reshape(kernel, [9 * c, cOut])), [n, hw, cOut]);
  });
}

/**
 * The four members of each 2x2 pooling window of an h×w image, as four 0/1 matrices
 * `[1, ⌈h/2⌉·⌈w/2⌉, h·w]`. Where h or w is odd, the last window repeats the last row or column, which
 * leaves its maximum unchanged ('same' padding).
 */
export function poolWindows(h: number, w: number): tf.Tensor3D[] {
  const [h2, w2] = [Math.ceil(h / 2), Math.ceil(w / 2)];
  return [0, 1, 2, 3].map((k) => {
    const s = new Float32Array(h2 * w2 * h * w);
    for (let r = 0; r < h2; r++) {
      for (let c = 0; c < w2; c++) {
        const rr = Math.min(2 * r + (k >> 1), h - 1);
        const cc = Math.min(2 * c + (k & 1), w - 1);
        s[(r * w2 + c) * h * w + rr * w + cc] = 1;
      }
    }
    return tf.tensor3d(s, [1, h2 * w2, h * w]);
  });
}

/**
 * 2x2 max-pooling, stride 2 (`tf.maxPool(x, 2, 2, 'same')` on the images): the elementwise maximum of
 * the four window members.
 *
 * @param x - Images `[N, h·w, c]`.
 * @param windows - `poolWindows(h, w)`.
 * @returns `[N, ⌈h/2⌉·⌈w/2⌉, c]`.
 */
export function maxPool2x2(x: tf.Tensor3D, windows: readonly tf.Tensor3D[]): tf.Tensor3D {
  return tf.tidy(() => {
    const [a, b, c, d] = windows.map((wnd) => tf.matMul(wnd, x)) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    return tf.maximum(tf.maximum(a, b), tf.maximum(c, d));
  });
}
