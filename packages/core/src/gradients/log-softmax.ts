/**
 * Group 4 of docs/tfjs-second-order.md §2.2 (and §4). `tf.logSoftmax` (and so the layers activation 'logSoftmax') and
 * `tf.losses.softmaxCrossEntropy` are `customGrad` ops whose backward reads a tensor saved inside their forward
 * function. That tensor is not on the tape, so a second differentiation sees it as a constant: the HVP is silently
 * wrong or throws. `registerGradient` cannot fix them (no backend has a LogSoftmax kernel, and the customGrad tape
 * node gets no inputs, only the disconnected saved tensor), so the stock ops STAY WRONG after
 * installSecondOrderGradients(). Use these drop-in replacements in any loss that will be differentiated twice; they
 * are built from taped kernels and are correct once the registry is installed.
 */
import * as tf from '@tensorflow/tfjs';

/** max(z) along `axis` with a zero gradient: log-sum-exp is invariant to the shift, so its derivatives do not
 *  depend on it, and the zero gradient skips the Max kernel's argmax-mask backward. */
function shiftOf(z: tf.Tensor, axis: number): tf.Tensor {
  const op = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = inputs[0] as tf.Tensor;
    return { value: tf.max(x, axis, true), gradFunc: () => tf.zerosLike(x) };
  });
  return op(z);
}

function lastAxis(z: tf.Tensor, axis: number, where: string): number {
  const resolved = axis < 0 ? z.rank + axis : axis;
  if (resolved !== z.rank - 1) {
    throw new Error(`${where}: axis=${axis} is not the last axis of a rank-${z.rank} tensor; only the last axis is supported (pass -1)`);
  }
  return resolved;
}

/**
 * log softmax(z) = z − logSumExp(z), differentiable to any order (drop-in for `tf.logSoftmax`).
 */
export function logSoftmax<T extends tf.Tensor>(z: T, axis = -1): T {
  const ax = lastAxis(z, axis, 'logSoftmax');
  return tf.tidy(() => {
    const m = shiftOf(z, ax);
    const shifted = tf.sub(z, m);
    return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), ax, true))) as T;
  });
}

/**
 * Mean over the batch of −Σ_k y_k · log softmax(z)_k, differentiable to any order. Drop-in for
 * `tf.losses.softmaxCrossEntropy(onehotLabels, logits)` with its defaults (no weights, no label smoothing,
 * SUM_BY_NONZERO_WEIGHTS, which is the batch mean).
 */
export function softmaxCrossEntropy(onehotLabels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  if (!tf.util.arraysEqual(onehotLabels.shape, logits.shape)) {
    throw new Error(
      `softmaxCrossEntropy: onehotLabels shape [${onehotLabels.shape.join(', ')}] must equal logits shape ` +
        `[${logits.shape.join(', ')}]; one-hot encode the labels to the logits' shape`,
    );
  }
  if (logits.rank < 1) {
    throw new Error('softmaxCrossEntropy: logits must have rank ≥ 1 (classes on the last axis), got a scalar');
  }
  return tf.tidy(() => {
    const perExample = tf.neg(tf.sum(tf.mul(tf.cast(onehotLabels, 'float32'), logSoftmax(logits)), -1));
    return tf.mean(perExample) as tf.Scalar;
  });
}
