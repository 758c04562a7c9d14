import type * as tf from '@tensorflow/tfjs-core';
import { fail, formatShape } from './errors.js';
import { type TensorInput, toFloat } from './to-tensor.js';
import { checkNotEmpty, checkRank, checkSameShape } from './validate.js';

/** Teacher and student logits `[N, C]`, float32, of the same shape. */
export interface LogitPair {
  teacher: tf.Tensor2D;
  student: tf.Tensor2D;
}

/**
 * Reads the teacher's and the student's logits of a distillation loss: both `[N, C]`, non-empty, of
 * the same shape, with at least `minClasses` columns. The names are the ones the messages print.
 */
export function readLogitPair(fn: string, teacherLogits: TensorInput, studentLogits: TensorInput, minClasses: number, teacherName = 'teacherLogits', studentName = 'studentLogits'): LogitPair {
  const student = toFloat(fn, studentName, studentLogits);
  checkRank(fn, studentName, student, [2]);
  checkNotEmpty(fn, studentName, student);
  if ((student.shape[1] as number) < minClasses) {
    fail(fn, `\`${studentName}\``, `have at least ${minClasses} classes (columns)`, `shape ${formatShape(student.shape)}`);
  }
  const teacher = toFloat(fn, teacherName, teacherLogits);
  checkSameShape(fn, teacherName, teacher, studentName, student);
  return { teacher: teacher as tf.Tensor2D, student: student as tf.Tensor2D };
}
