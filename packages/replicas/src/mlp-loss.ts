import * as tf from '@tensorflow/tfjs';
import {
  checkMlpData,
  checkMlpSpec,
  checkParameters,
  checkRegularization,
  mlpLayout,
  type MlpActivation,
  type MlpData,
  type MlpLayout,
  type MlpSpec,
} from './mlp-spec.js';

/** What the batched loss needs to know about the model and its objective. */
export interface MlpObjective {
  readonly layout: MlpLayout;
  readonly activation: MlpActivation;
  /** λ in λ·Σφ² over every kernel and bias (tfjs's l2 regularizer). */
  readonly weightDecay: number;
  /** Sharpness rescaling: the loss of θ is the plain loss at φ = √k·θ. */
  readonly k: number;
}

/**
 * A batch as the batched loss reads it. The first layer's kernel [in, out] is followed in the flat vector by its
 * bias [out], which together are one row-major [in + 1, out] matrix: with a column of ones appended to x, one matMul
 * applies kernel and bias and one matMul gives both their gradients. Built in JS, where the ones column and the
 * transpose cost nothing (on wasm a broadcast bias add and a sum over the batch axis cost more than the matMul).
 */
export interface MlpBatch {
  /** [R or 1, n, inputs + 1]: each example's features, then 1. */
  readonly xOnes: tf.Tensor3D;
  /** [R or 1, inputs + 1, n]: the same, transposed (only the gradient needs it). */
  readonly xOnesT?: tf.Tensor3D;
  /** [R or 1, n, classes], one-hot. */
  readonly y: tf.Tensor3D;
}

/**
 * Appends a ones column to `rows` examples of x (row-major, `inputs` wide) and lays them out as [rows, inputs + 1]
 * and transposed per replica ([groups, inputs + 1, rows / groups]).
 */
export function onesAugmented(x: Float32Array, rows: number, inputs: number, groups: number): { xOnes: Float32Array; xOnesT: Float32Array } {
  const w = inputs + 1;
  const n = rows / groups;
  const xOnes = new Float32Array(rows * w);
  const xOnesT = new Float32Array(rows * w);
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i < n; i++) {
      const row = g * n + i;
      for (let j = 0; j < inputs; j++) {
        const v = x[row * inputs + j]!;
        xOnes[row * w + j] = v;
        xOnesT[g * w * n + j * n + i] = v;
      }
      xOnes[row * w + inputs] = 1;
      xOnesT[g * w * n + inputs * n + i] = 1;
    }
  }
  return { xOnes, xOnesT };
}

interface Forward {
  readonly phi: tf.Tensor2D;
  /** Each hidden layer's activations [R, n, width] (the input is in the batch). */
  readonly hidden: tf.Tensor3D[];
  readonly logits: tf.Tensor3D;
}

/** Layer l's kernel [R, inputs, outputs] (and, for l = 0, with its bias as a last row). */
function kernel(o: MlpObjective, phi: tf.Tensor2D, l: number, withBias: boolean): tf.Tensor3D {
  const layer = o.layout.layers[l]!;
  const rows = layer.inputs + (withBias ? 1 : 0);
  return tf.reshape(tf.slice(phi, [0, layer.kernelOffset], [phi.shape[0], rows * layer.outputs]), [phi.shape[0], rows, layer.outputs]);
}

/**
 * Whether all R rows read one batch ([1, n, ·]) — full-batch training, or the full-data loss — so the first layer
 * can be one matMul for all rows (R > 1; with one row the batched form is already that).
 */
function isShared(theta: tf.Tensor2D, batch: MlpBatch): boolean {
  return batch.xOnes.shape[0] === 1 && theta.shape[0] > 1;
}

/**
 * The first layer's pre-activations [n, R·out] for a batch shared by all rows: [x, 1]·[W₀ | … | W_R−1] as one
 * [n, in+1]×[in+1, R·out] matMul. On wasm R small matMuls with an inner dimension of 5 cost ≈ 10× more (measured
 * 13.6 vs 1.3 ms at n = 1372, R = 100).
 */
function sharedFirstLayer(o: MlpObjective, phi: tf.Tensor2D, xOnes: tf.Tensor3D): tf.Tensor2D {
  const R = phi.shape[0];
  const [, n, w] = xOnes.shape;
  const out = o.layout.layers[0]!.outputs;
  const side = tf.reshape(tf.transpose(kernel(o, phi, 0, true), [1, 0, 2]), [w, R * out]);
  return tf.matMul(tf.reshape(xOnes, [n, w]), side) as tf.Tensor2D;
}

/**
 * tanh(z) = 2·σ(2z) − 1 (identity): wasm's tanh kernel is scalar and ≈ 7× slower than its sigmoid (25 vs 3.6 ms on
 * 1.4·10⁶ values); the absolute error is ≈ 1e-7, float32's spacing at 1. Used for full-batch training only, where
 * the activations are R·n·width values a step; losses and minibatch steps keep tf.tanh.
 */
function fastTanh(z: tf.Tensor): tf.Tensor {
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(z, 2)), 2), 1);
}

function forward(o: MlpObjective, theta: tf.Tensor2D, batch: MlpBatch, fast = false): Forward {
  const R = theta.shape[0];
  // L_k(θ) = L(√k·θ) (Xie, Sato & Sugiyama, ICLR 2021, §4: sharpness rescaled by k); k = 1 is skipped, not ×1.
  const phi = o.k === 1 ? theta : (tf.mul(theta, Math.sqrt(o.k)) as tf.Tensor2D);
  const activate = (z: tf.Tensor): tf.Tensor => (o.activation === 'relu' ? tf.relu(z) : fast ? fastTanh(z) : tf.tanh(z));
  const hidden: tf.Tensor3D[] = [];
  // Dense: z = a·W + b per replica (batched over R); layer 0 as [x, 1]·[W; b].
  let z: tf.Tensor3D;
  if (isShared(theta, batch) && o.layout.layers.length > 1) {
    // Activate in the shared layout, then one transpose to [R, n, out] for the per-replica layers.
    const n = batch.xOnes.shape[1];
    const out = o.layout.layers[0]!.outputs;
    const a = tf.transpose(tf.reshape(activate(sharedFirstLayer(o, phi, batch.xOnes)), [n, R, out]), [1, 0, 2]) as tf.Tensor3D;
    hidden.push(a);
    z = nextLayer(o, phi, a, 1);
  } else {
    z = isShared(theta, batch)
      ? (tf.transpose(tf.reshape(sharedFirstLayer(o, phi, batch.xOnes), [batch.xOnes.shape[1], R, -1]), [1, 0, 2]) as tf.Tensor3D)
      : (tf.matMul(batch.xOnes, kernel(o, phi, 0, true)) as tf.Tensor3D);
  }
  for (let l = hidden.length + 1; l < o.layout.layers.length; l++) {
    const a = activate(z) as tf.Tensor3D;
    hidden.push(a);
    z = nextLayer(o, phi, a, l);
  }
  return { phi, hidden, logits: z };
}

/** Layer l ≥ 1: a·W + b per replica. */
function nextLayer(o: MlpObjective, phi: tf.Tensor2D, a: tf.Tensor3D, l: number): tf.Tensor3D {
  const layer = o.layout.layers[l]!;
  const bias = tf.reshape(tf.slice(phi, [0, layer.biasOffset], [phi.shape[0], layer.outputs]), [phi.shape[0], 1, layer.outputs]);
  return tf.add(tf.matMul(a, kernel(o, phi, l, false)), bias) as tf.Tensor3D;
}

/** λ·Σφ² per row (tfjs's l2 regularizer summed over kernels and biases). */
function decay(o: MlpObjective, phi: tf.Tensor2D): tf.Tensor1D {
  return tf.mul(tf.sum(tf.square(phi), 1), o.weightDecay) as tf.Tensor1D;
}

/**
 * Per-replica loss [R]: mean softmax cross-entropy over the n examples of each replica's batch, plus λ·Σφ², at
 * φ = √k·θ. The batch is per replica ([R, n, ·]) or shared by all rows ([1, n, ·]). Call inside tf.tidy.
 */
export function mlpLossTensor(o: MlpObjective, theta: tf.Tensor2D, batch: MlpBatch): tf.Tensor1D {
  const f = forward(o, theta, batch);
  const n = batch.y.shape[1];
  // Cross-entropy −Σ y·log softmax(z), averaged over the batch (tfjs categoricalCrossentropy, unclipped).
  const ce = tf.div(tf.neg(tf.sum(tf.mul(batch.y, tf.logSoftmax(f.logits)), [1, 2])), n) as tf.Tensor1D;
  return o.weightDecay === 0 ? ce : tf.add(ce, decay(o, f.phi));
}

/**
 * Per-replica gradient [R, P] of mlpLossTensor, by a hand-written backward pass (measured ≈ 1.4× faster than
 * tf.grad of the summed loss on wasm at R = 100, B = 16). Row r depends only on row r of θ and of the batch. Call
 * inside tf.tidy.
 */
export function mlpGradientTensor(o: MlpObjective, theta: tf.Tensor2D, batch: MlpBatch): tf.Tensor2D {
  if (batch.xOnesT == null) throw new Error('mlpGradientTensor: batch.xOnesT is missing; build the batch with onesAugmented');
  const R = theta.shape[0];
  const n = batch.y.shape[1];
  const shared = isShared(theta, batch);
  const f = forward(o, theta, batch, shared);
  // ∂CE/∂z = (softmax(z) − y)/n for the batch mean (derived: softmax cross-entropy).
  let delta = tf.div(tf.sub(tf.softmax(f.logits), batch.y), n) as tf.Tensor3D;
  const pieces: tf.Tensor2D[] = [];
  for (let l = o.layout.layers.length - 1; l >= 1; l--) {
    const layer = o.layout.layers[l]!;
    const input = f.hidden[l - 1]!;
    // ∂/∂W = aᵀδ, ∂/∂b = Σ_n δ (derived: z = aW + b).
    const dKernel = tf.reshape(tf.matMul(tf.transpose(input, [0, 2, 1]), delta), [R, layer.inputs * layer.outputs]) as tf.Tensor2D;
    pieces.push(tf.sum(delta, 1) as tf.Tensor2D, dKernel);
    const back = tf.matMul(delta, tf.transpose(kernel(o, f.phi, l, false), [0, 2, 1]));
    // tanh′ = 1 − a², relu′ = [a > 0] (derived; the same expressions as tfjs's Tanh and Relu gradients).
    const slope = o.activation === 'tanh' ? tf.sub(1, tf.square(input)) : tf.step(input);
    delta = tf.mul(back, slope) as tf.Tensor3D;
  }
  const first = o.layout.layers[0]!;
  // [x, 1]ᵀδ: the first kernel's gradient with its bias's as the last row, already in flat order.
  const w = first.inputs + 1;
  if (shared) {
    // The same product for all rows at once: [x, 1]ᵀ [n, w]ᵀ × δ laid out [n, R·out], back to [R, w·out].
    const side = tf.reshape(tf.transpose(delta, [1, 0, 2]), [n, R * first.outputs]);
    const dFirst = tf.matMul(tf.reshape(batch.xOnesT, [w, n]), side);
    pieces.push(tf.reshape(tf.transpose(tf.reshape(dFirst, [w, R, first.outputs]), [1, 0, 2]), [R, w * first.outputs]) as tf.Tensor2D);
  } else {
    pieces.push(tf.reshape(tf.matMul(batch.xOnesT, delta), [R, w * first.outputs]) as tf.Tensor2D);
  }
  let g = pieces.length === 1 ? pieces[0]! : (tf.concat(pieces.reverse(), 1) as tf.Tensor2D);
  // ∇(λΣφ²) = 2λφ (derived; tfjs's l2 regularizer's gradient).
  if (o.weightDecay !== 0) g = tf.add(g, tf.mul(f.phi, 2 * o.weightDecay));
  // Chain rule through φ = √k·θ: ∇_θ L(√kθ) = √k·∇L(φ) (derived).
  return o.k === 1 ? g : (tf.mul(g, Math.sqrt(o.k)) as tf.Tensor2D);
}

export interface MlpLossAndGradient {
  /** Mean cross-entropy over all rows plus λ·Σφ², at φ = √k·θ (float32 arithmetic). */
  readonly loss: number;
  /** Its gradient with respect to θ, in the same flat order. */
  readonly gradient: Float32Array;
}

export interface MlpObjectiveOptions {
  /** λ: loss + λ·Σφ² over kernels and biases, tfjs's l2({l2: λ}) on every Dense layer (default 0). */
  readonly weightDecay?: number;
  /** Sharpness rescaling L_k(θ) = L(√k·θ) (default 1). */
  readonly k?: number;
}

/**
 * Full-batch loss and gradient of one flat parameter vector θ (tfjs trainableWeights order), in float32 tfjs ops
 * on the current backend: for pretraining to a minimum and for basin tests.
 */
export function mlpLossAndGradient(spec: MlpSpec, data: MlpData, theta: Float32Array, options: MlpObjectiveOptions = {}): MlpLossAndGradient {
  const where = 'mlpLossAndGradient';
  const o = mlpObjective(where, spec, options);
  checkMlpData(where, spec, data);
  checkParameters(where, 'theta', theta, o.layout.parameters);
  const inputs = spec.layers[0]!;
  const classes = spec.layers[spec.layers.length - 1]!;
  const { xOnes, xOnesT } = onesAugmented(data.x, data.rows, inputs, 1);
  const [loss, gradient] = tf.tidy(() => {
    const t = tf.tensor2d(theta, [1, theta.length]);
    const batch: MlpBatch = {
      xOnes: tf.tensor3d(xOnes, [1, data.rows, inputs + 1]),
      xOnesT: tf.tensor3d(xOnesT, [1, inputs + 1, data.rows]),
      y: tf.tensor3d(data.y, [1, data.rows, classes]),
    };
    return [mlpLossTensor(o, t, batch), mlpGradientTensor(o, t, batch)];
  });
  try {
    return { loss: loss.dataSync()[0]!, gradient: gradient.dataSync().slice() as Float32Array };
  } finally {
    loss.dispose();
    gradient.dispose();
  }
}

/** Checks spec and options and fixes the objective. */
export function mlpObjective(where: string, spec: MlpSpec, options: MlpObjectiveOptions): MlpObjective {
  checkMlpSpec(where, spec);
  const weightDecay = options.weightDecay ?? 0;
  const k = options.k ?? 1;
  checkRegularization(where, weightDecay, k);
  return { layout: mlpLayout(spec), activation: spec.activation ?? 'tanh', weightDecay, k };
}
