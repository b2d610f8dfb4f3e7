/**
 * Group 3 of docs/tfjs-second-order.md §2.2: backward kernels that tfjs gives no gradient. The first-order gradients of
 * conv2d (w.r.t. its filter), maxPool and avgPool call them, so differentiating those gradients again throws. Each
 * kernel below is linear in its cotangent input `dy` (and, for the filter gradient, bilinear in x and dy), so its
 * gradient is the adjoint of that linear map. Derivatives w.r.t. the pooling input are zero almost everywhere. NHWC
 * only; the wasm backend has no Conv2DBackpropFilter kernel at all (docs/tfjs-second-order.md §5.1), so conv filters
 * are cpu-only.
 *
 * MaxPool itself keeps its stock config: its saved output is disconnected like the group-1 outputs, but it only
 * feeds MaxPoolGrad, whose derivative w.r.t. that output is zero almost everywhere, so nothing is lost.
 * Known first-order tfjs 4.22 bug, not fixed here (it would change first-order gradients): avgPool with windows
 * that overlap the padding ('same') divides by the in-bounds count in the forward pass but by the full window in
 * AvgPoolGrad, so its gradient is wrong at the borders; second order there inherits that inconsistency.
 */
import * as tf from '@tensorflow/tfjs';

type Pair = [number, number];
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

function pair(v: number | Pair): Pair {
  return typeof v === 'number' ? [v, v] : v;
}

function zerosFor(t: tf.Tensor): () => tf.Tensor {
  return () => tf.zeros(t.shape, 'float32');
}

// MaxPoolGrad(dy) scatters dy to each window's argmax; its adjoint gathers the cotangent at those argmaxes, which is
// the maxPool Jacobian J applied to it. Argmaxes come from the MaxPoolWithArgmax kernel (same first-max tie rule as
// the cpu MaxPoolGrad kernel), indexes flattened within each batch entry.
const maxPoolGradGrad: tf.GradConfig = {
  kernelName: 'MaxPoolGrad',
  inputsToSave: ['dy', 'input', 'output'],
  gradFunc: (ddx, saved, attrs) => {
    const [dy, input, output] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
      filterSize: number | Pair;
      strides: number | Pair;
      pad: Pad;
      dimRoundingMode?: Rounding;
    };
    return {
      dy: () => {
        if (typeof pad === 'object' || dimRoundingMode != null) {
          throw new Error(
            `second-order maxPool: pad=${JSON.stringify(pad)} with dimRoundingMode=${String(dimRoundingMode)} is ` +
              `not supported; use pad 'valid', 'same' or a number without dimRoundingMode`,
          );
        }
        const [batch, height, width, channels] = input.shape;
        const { result, indexes } = tf.maxPoolWithArgmax(input, filterSize, strides, pad, false);
        result!.dispose();
        const flat = tf.reshape(ddx as tf.Tensor, [batch, height * width * channels]);
        const picked = tf.gather(flat, tf.reshape(indexes!, [batch, -1]), 1, 1);
        return tf.reshape(picked, dy.shape);
      },
      input: zerosFor(input),
      output: zerosFor(output),
    };
  },
};

// AvgPoolGrad(dy) spreads dy[w]/(fh·fw) over window w (the kernel divides by the full window even where it overlaps
// padding); the adjoint sums the cotangent over each window and divides by fh·fw: a depthwise conv with ones.
const avgPoolGradGrad: tf.GradConfig = {
  kernelName: 'AvgPoolGrad',
  inputsToSave: ['dy', 'input'],
  gradFunc: (ddx, saved, attrs) => {
    const [, input] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { filterSize, strides, pad } = attrs as unknown as { filterSize: number | Pair; strides: number | Pair; pad: Pad };
    const [fh, fw] = pair(filterSize);
    return {
      dy: () => {
        const channels = input.shape[3];
        const ones = tf.ones([fh, fw, channels, 1]) as tf.Tensor4D;
        const summed = tf.depthwiseConv2d(ddx as tf.Tensor4D, ones, strides, pad);
        return tf.div(summed, tf.scalar(fh * fw));
      },
      input: zerosFor(input),
    };
  },
};

// dW = Conv2DBackpropFilter(x, dy) = ∂⟨dy, conv2d(x, W)⟩/∂W, so ⟨G, dW⟩ = ⟨dy, conv2d(x, G)⟩ for a filter
// cotangent G: ∂/∂dy = conv2d(x, G) and ∂/∂x = conv2dTranspose(dy, G) (= Conv2DBackpropInput).
const conv2dBackpropFilterGrad: tf.GradConfig = {
  kernelName: 'Conv2DBackpropFilter',
  inputsToSave: ['x', 'dy'],
  gradFunc: (g, saved, attrs) => {
    const [x, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as {
      strides: number | Pair;
      pad: Pad;
      dataFormat: 'NHWC' | 'NCHW';
      dimRoundingMode?: Rounding;
    };
    if (dataFormat !== 'NHWC') {
      throw new Error(`second-order conv2d: dataFormat=${dataFormat} is not supported; use 'NHWC'`);
    }
    const filterCotangent = g as tf.Tensor4D;
    return {
      x: () =>
        tf.conv2dTranspose(
          dy,
          filterCotangent,
          x.shape as [number, number, number, number],
          strides,
          pad,
          dimRoundingMode,
        ),
      dy: () => tf.conv2d(x, filterCotangent, strides, pad, 'NHWC', 1, dimRoundingMode),
    };
  },
};

export const backwardKernelGradients: readonly tf.GradConfig[] = [
  maxPoolGradGrad,
  avgPoolGradGrad,
  conv2dBackpropFilterGrad,
];
