import * as tf from '@tensorflow/tfjs';
import { logSoftmax } from '@kramers/core';
import { makeHvp, symmetricEigen, type SymmetricEigenResult } from '@kramers/hvp-estimator';
import { mlpLayout, type MlpData, type MlpSpec } from '@kramers/replicas';

/** The Hessian spectrum at a model's start: is it a true minimum (all eigenvalues > 0), and how flat and sharp. */
export interface StartCurvature {
  readonly minEigenvalue: number;
  readonly maxEigenvalue: number;
  readonly parameters: number;
}

/**
 * Every eigenvalue of the full-data loss's Hessian (cross-entropy plus λ·Σθ²) at θ, from P exact Hessian-vector
 * products (double backprop under kramers' second-order registry, so tanh and softmax are differentiated right),
 * then a dense symmetric eigensolve. For the small models of escape experiments (P ≲ 1000).
 */
export function startCurvature(spec: MlpSpec, data: MlpData, theta: Float32Array, weightDecay: number): StartCurvature {
  return curvatureOf(startHessian(spec, data, theta, weightDecay));
}

/** The spectrum's ends and size, from a Hessian's eigendecomposition (ascending eigenvalues). */
export function curvatureOf({ values }: SymmetricEigenResult): StartCurvature {
  return { minEigenvalue: values[0]!, maxEigenvalue: values[values.length - 1]!, parameters: values.length };
}

/** The full-data loss's Hessian at θ as its eigendecomposition (ascending eigenvalues, unit eigenvectors). */
export function startHessian(spec: MlpSpec, data: MlpData, theta: Float32Array, weightDecay: number): SymmetricEigenResult {
  const layout = mlpLayout(spec);
  const P = layout.parameters;
  const classes = spec.layers[spec.layers.length - 1]!;
  // Inside tidy, so the tensors the variables are made from are freed with it.
  const variables = tf.tidy(() =>
    layout.layers.flatMap((l) => [
      tf.variable(tf.tensor2d(theta.subarray(l.kernelOffset, l.kernelOffset + l.inputs * l.outputs), [l.inputs, l.outputs])),
      tf.variable(tf.tensor1d(theta.subarray(l.biasOffset, l.biasOffset + l.outputs))),
    ]),
  );
  const x = tf.tensor2d(data.x, [data.rows, spec.layers[0]!]);
  const y = tf.tensor2d(data.y, [data.rows, classes]);
  try {
    const lossFn = (): tf.Scalar => {
      let h: tf.Tensor = x;
      layout.layers.forEach((_, i) => {
        const z = tf.add(tf.matMul(h, variables[2 * i]!), variables[2 * i + 1]!);
        h = i + 1 < layout.layers.length ? (spec.activation === 'relu' ? tf.relu(z) : tf.tanh(z)) : z;
      });
      // Mean softmax cross-entropy plus tfjs's l2(λ): λ·Σθ² over kernels and biases. core's logSoftmax, not tf's:
      // tf.logSoftmax's second derivative is silently wrong (docs/tfjs-second-order.md).
      const ce = tf.neg(tf.mean(tf.sum(tf.mul(y, logSoftmax(h)), 1)));
      const penalty = variables.reduce<tf.Tensor>((acc, v) => tf.add(acc, tf.sum(tf.square(v))), tf.scalar(0));
      return tf.add(ce, tf.mul(weightDecay, penalty)) as tf.Scalar;
    };
    const hvp = makeHvp({ lossFn, variables });
    const h = new Float64Array(P * P);
    const e = new Float64Array(P);
    for (let j = 0; j < P; j++) {
      e.fill(0);
      e[j] = 1;
      h.set(hvp.apply(e), j * P);
    }
    // Symmetrise: float32 HVPs are symmetric only to rounding.
    for (let i = 0; i < P; i++) {
      for (let j = i + 1; j < P; j++) {
        const s = (h[i * P + j]! + h[j * P + i]!) / 2;
        h[i * P + j] = s;
        h[j * P + i] = s;
      }
    }
    return symmetricEigen(h, P);
  } finally {
    tf.dispose([x, y, ...variables]);
  }
}
