/**
 * Group 1 of docs/tfjs-second-order.md §2.2: kernels whose stock gradient reads a saved copy of their own output.
 * The engine clones that output before the kernel's tape node exists, so the clone is never marked reachable from
 * x (tape.ts getFilteredNodesXToY) and a second differentiation treats it as a constant: double backprop throws or
 * is silently wrong. These configs also save the input and, when the gradient is itself being taped, recompute the
 * output from it so the recomputation is on the tape.
 *
 * When nothing is being taped (a plain first-order gradient: `gradients()` ends its tape before the backward pass,
 * so gradientDepth is 0) the saved output is used exactly as the stock config does, so first-order gradients stay
 * bit-for-bit identical and cost no extra kernel.
 */
import * as tf from '@tensorflow/tfjs';

/** True while an enclosing tf.grad/variableGrads is recording, i.e. this backward pass is itself differentiated. */
export function backwardIsTaped(): boolean {
  return tf.engine().state.gradientDepth > 0;
}

function outputOf(saved: tf.Tensor, recompute: () => tf.Tensor): tf.Tensor {
  return backwardIsTaped() ? recompute() : saved;
}

// tanh' = 1 − tanh²
const tanhGrad: tf.GradConfig = {
  kernelName: 'Tanh',
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [x, y] = saved as [tf.Tensor, tf.Tensor];
    return { x: () => tf.mul(tf.sub(tf.scalar(1), tf.square(outputOf(y, () => tf.tanh(x)))), dy as tf.Tensor) };
  },
};

// σ' = σ(1 − σ)
const sigmoidGrad: tf.GradConfig = {
  kernelName: 'Sigmoid',
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [x, y] = saved as [tf.Tensor, tf.Tensor];
    return {
      x: () => {
        const s = outputOf(y, () => tf.sigmoid(x));
        return tf.mul(dy as tf.Tensor, tf.mul(s, tf.sub(tf.scalar(1), s)));
      },
    };
  },
};

const expGrad: tf.GradConfig = {
  kernelName: 'Exp',
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [x, y] = saved as [tf.Tensor, tf.Tensor];
    return { x: () => tf.mul(dy as tf.Tensor, outputOf(y, () => tf.exp(x))) };
  },
};

// Softmax VJP: y ⊙ dy − y · Σ(y ⊙ dy) along `dim` (stock Softmax_grad formula).
const softmaxGrad: tf.GradConfig = {
  kernelName: 'Softmax',
  inputsToSave: ['logits'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [logits, y] = saved as [tf.Tensor, tf.Tensor];
    const { dim } = attrs as unknown as { dim: number };
    return {
      logits: () => {
        const s = outputOf(y, () => tf.softmax(logits, dim));
        const dyTimesY = tf.mul(dy as tf.Tensor, s);
        return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), s));
      },
    };
  },
};

// elu'(x) = 1 for x > 0, exp(x) otherwise, i.e. exp(min(x, 0)) everywhere. The stock config calls the EluGrad
// kernel, which has no gradient of its own; min(x, 0) keeps exp finite where the branch is not taken.
const eluGrad: tf.GradConfig = {
  kernelName: 'Elu',
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [x, y] = saved as [tf.Tensor, tf.Tensor];
    return {
      x: () =>
        backwardIsTaped()
          ? tf.mul(dy as tf.Tensor, tf.exp(tf.minimum(x, tf.scalar(0))))
          : (tf.engine().runKernel('EluGrad', { dy: dy as tf.Tensor, y }) as tf.Tensor),
    };
  },
};

function sumToShape(t: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(t, axes) : t, shape);
}

// ∂(aᵇ)/∂a = b·aᵇ⁻¹, ∂(aᵇ)/∂b = aᵇ·log a (log a taken as 0 where a ≤ 0, as in the stock Pow_grad).
const powGrad: tf.GradConfig = {
  kernelName: 'Pow',
  inputsToSave: ['a', 'b'],
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [base, exponent, y] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
    const dyT = dy as tf.Tensor;
    const outShape = tf.broadcast_util.assertAndGetBroadcastShape(base.shape, exponent.shape);
    return {
      a: () => {
        const expFloat = tf.cast(exponent, 'float32');
        const res = tf.mul(dyT, tf.mul(expFloat, tf.pow(base, tf.sub(expFloat, tf.scalar(1)))));
        return sumToShape(res, base.shape, outShape);
      },
      b: () => {
        const logBase = tf.where(tf.greater(base, 0), tf.log(base), tf.zerosLike(base));
        const res = tf.mul(dyT, tf.mul(outputOf(y, () => tf.pow(base, exponent)), logBase));
        return sumToShape(res, exponent.shape, outShape);
      },
    };
  },
};

export const recomputedOutputGradients: readonly tf.GradConfig[] = [
  tanhGrad,
  sigmoidGrad,
  expGrad,
  softmaxGrad,
  eluGrad,
  powGrad,
];
