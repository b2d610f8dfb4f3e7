/**
 * Whether a model is a chain the one-pass per-example path can run: one input, one output, each layer fed by the one
 * before, every trainable weight a kernel or bias of a Dense layer on rank-2 rows, and between them only layers that
 * act on each row alone and hold no trainable weight (Dropout, activations, Flatten, …; applied in inference mode).
 * Then ∂ℓ_j/∂W = a_{j}ᵀ δ_{j} for each row (BackPACK's first-order trick, Dangel, Kunstner & Hennig, ICLR 2020, §2),
 * which `per-example-dense.ts` computes. Anything else is described by the reason it is not such a chain, so `auto`
 * can say why it chose the loop.
 */
import * as tf from '@tensorflow/tfjs';

/** A weight of a Dense layer: its value, and its index among the probe's variables (undefined when frozen). */
export interface DenseWeight {
  readonly value: tf.Variable;
  readonly index: number | undefined;
}

/** A Dense layer with at least one trainable weight: its pre-activation gets a probe term. */
export interface DenseStep {
  readonly kind: 'dense';
  readonly layer: tf.layers.Layer;
  /** The kernel, [inputs, units]. */
  readonly kernel: DenseWeight;
  /** The bias, [units]; undefined for `useBias: false`. */
  readonly bias: DenseWeight | undefined;
  readonly inputs: number;
  readonly units: number;
  /** The layer's own activation (tfjs's object, so the function is exactly the model's). */
  readonly activation: (z: tf.Tensor) => tf.Tensor;
}

/** A layer without trainable weights that maps each row on its own: applied as it is, in inference mode. */
export interface PassStep {
  readonly kind: 'pass';
  readonly layer: tf.layers.Layer;
}

export type ChainStep = DenseStep | PassStep;

export type DenseChain = { readonly ok: true; readonly steps: readonly ChainStep[] } | { readonly ok: false; readonly reason: string };

/**
 * Parameter-free layers known to act on each row alone (in inference mode the dropout and noise layers are the
 * identity). A Dense layer whose weights are frozen is one too. Any other layer sends the model to the loop.
 */
const ROW_WISE_LAYERS: ReadonlySet<string> = new Set([
  'Dropout',
  'AlphaDropout',
  'GaussianDropout',
  'GaussianNoise',
  'SpatialDropout1D',
  'Activation',
  'ReLU',
  'LeakyReLU',
  'ELU',
  'Softmax',
  'ThresholdedReLU',
  'Flatten',
  'Reshape',
]);

/** What tfjs's Dense keeps privately: its activation object (null for linear). */
interface DenseInternals {
  readonly activation?: { apply(x: tf.Tensor): tf.Tensor } | null;
}

const fail = (reason: string): DenseChain => ({ ok: false, reason });

/**
 * The chain of `model` from its input to its output, with each Dense layer's weights located among `variables`
 * (the probe's, by identity). Every variable must be accounted for, else the chain is refused.
 */
export function denseChain(model: tf.LayersModel, variables: readonly tf.Variable[]): DenseChain {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    return fail(`the model has ${model.inputs.length} inputs and ${model.outputs.length} outputs (one of each is needed)`);
  }
  const layers: tf.layers.Layer[] = [];
  const inputShapes: tf.Shape[] = [];
  let t: tf.SymbolicTensor = model.outputs[0]!;
  while (t.inputs.length > 0) {
    if (t.inputs.length !== 1) return fail(`layer "${t.sourceLayer.name}" takes ${t.inputs.length} inputs`);
    layers.unshift(t.sourceLayer);
    inputShapes.unshift(t.inputs[0]!.shape);
    t = t.inputs[0]!;
  }
  if (new Set(layers).size !== layers.length) return fail('a layer is used more than once (shared weights)');

  const index = new Map(variables.map((v, i) => [v, i] as const));
  const used = new Set<number>();
  const steps: ChainStep[] = [];
  for (const [i, layer] of layers.entries()) {
    const className = layer.getClassName();
    if (layer.trainableWeights.length === 0) {
      if (className !== 'Dense' && !ROW_WISE_LAYERS.has(className)) return fail(`layer "${layer.name}" (${className}) is not handled by the dense path`);
      steps.push({ kind: 'pass', layer });
      continue;
    }
    if (className !== 'Dense') return fail(`layer "${layer.name}" (${className}) has trainable weights and is not Dense`);
    const step = denseStep(layer, inputShapes[i]!, index);
    if (typeof step === 'string') return fail(step);
    for (const w of [step.kernel, step.bias]) if (w?.index !== undefined) used.add(w.index);
    steps.push(step);
  }
  if (used.size !== variables.length) return fail('some probe variables belong to no Dense layer of the chain');
  return { ok: true, steps };
}

function denseStep(layer: tf.layers.Layer, inputShape: tf.Shape, index: ReadonlyMap<tf.Variable, number>): DenseStep | string {
  if (inputShape.length !== 2) return `Dense layer "${layer.name}" acts on inputs of rank ${inputShape.length} (rank 2 is needed)`;
  const trainable = new Set(layer.trainableWeights);
  const weight = (rank: number): DenseWeight | undefined | string => {
    const w = layer.weights.find((x) => x.shape.length === rank);
    if (!w) return undefined;
    const value = w.read() as tf.Variable;
    if (!trainable.has(w)) return { value, index: undefined };
    const i = index.get(value);
    return i === undefined ? `the weight "${w.name}" of Dense layer "${layer.name}" is not a probe variable` : { value, index: i };
  };
  const kernel = weight(2);
  const bias = weight(1);
  if (typeof kernel === 'string') return kernel;
  if (typeof bias === 'string') return bias;
  if (kernel === undefined || layer.weights.length > (bias ? 2 : 1)) return `Dense layer "${layer.name}" has an unexpected set of weights`;
  const [inputs, units] = kernel.value.shape as [number, number];
  const act = (layer as unknown as DenseInternals).activation;
  if (act != null && typeof act.apply !== 'function') return `Dense layer "${layer.name}" has an activation the dense path cannot call`;
  return {
    kind: 'dense',
    layer,
    kernel,
    bias,
    inputs,
    units,
    activation: act == null ? (z) => z : (z) => act.apply(z),
  };
}
