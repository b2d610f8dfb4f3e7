/**
 * Group 2 of docs/tfjs-second-order.md §2.2: comparison and logical kernels have no gradient in tfjs 4.22. First-order
 * backprop never reaches them, but the backward formulas of Max/Min (Equal), Selu/LeakyRelu (Greater), Relu6 and
 * ClipByValue (LessEqual, LogicalAnd) build masks from x, so a second differentiation walks into them and throws
 * "gradient function not found". Their true derivative is zero almost everywhere. The engine rejects non-float32
 * gradients, so the zeros are float32 whatever the input dtype (bool inputs of the logical kernels included).
 *
 * GreaterEqual is left alone: tfjs already registers a zero gradient for it.
 */
import * as tf from '@tensorflow/tfjs';

function zeroGradient(kernelName: string, inputNames: readonly string[]): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: [...inputNames],
    gradFunc: (_dy, saved) => {
      const grads: Record<string, () => tf.Tensor> = {};
      inputNames.forEach((name, i) => {
        const input = saved[i] as tf.Tensor;
        grads[name] = () => tf.zeros(input.shape, 'float32');
      });
      return grads;
    },
  };
}

const binaryMasks = ['Equal', 'NotEqual', 'Greater', 'Less', 'LessEqual', 'LogicalAnd', 'LogicalOr'];

export const maskKernelGradients: readonly tf.GradConfig[] = [
  ...binaryMasks.map((name) => zeroGradient(name, ['a', 'b'])),
  zeroGradient('LogicalNot', ['x']),
];
