/**
 * The probe context: loss and gradients at the current parameters on a fixed probe batch, leaving training exactly
 * as it was. Probes never assign to variables except inside `withParams`, which restores the original tensors (the
 * same data, so bit for bit); they use their own seeded RNG, never Math.random; and they evaluate the model with
 * `training: false`, so dropout is off and batch norm neither uses nor updates batch statistics.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from './config-validation.js';
import { flatSize, readFlat, writeFlat } from './flat-params.js';
import type { ProbeContext, ProbeData, ProbeLossInfo } from './probe-context.js';
import { isCompiled, regularizationPenalty, resolveProbeLoss, type ProbeLoss, type ResolvedLoss } from './probe-loss.js';
import { checkProbeInputs, checkProbeTargets } from './probe-shapes.js';
import { createRng } from './rng.js';

/** A probe batch that becomes available later (e.g. collected from training's first minibatches). */
export interface ProbeBatchSource {
  /** The batch once available; undefined until then. */
  current(): ProbeBatch | undefined;
}

export interface ProbeBatch {
  /** Inputs: one tensor, or one per model input. */
  readonly x: tf.Tensor | readonly tf.Tensor[];
  /** Targets: one tensor, or one per model output. */
  readonly y: tf.Tensor | readonly tf.Tensor[];
}

interface ModelProbeOptions {
  readonly model: tf.LayersModel;
  /**
   * The loss to measure. Default: the loss the model is compiled with (its own tfjs loss functions, plus its
   * regularisation penalties), resolved when first needed, so instrumenting before `model.compile` is fine. A model
   * that is neither compiled nor given a loss is refused with a message naming both fixes.
   */
  readonly loss?: ProbeLoss;
  readonly seed?: number;
}

export type ProbeSpec =
  | {
      /** Loss on the probe batch at the variables' current values; must be deterministic. */
      readonly lossFn: () => tf.Scalar;
      readonly variables: readonly tf.Variable[];
      readonly rows: number;
      readonly seed?: number;
    }
  | (ModelProbeOptions & ProbeBatch)
  | (ModelProbeOptions & {
      /** A batch that arrives later (see `probeFromDataset`); probe plugins wait until it is there. */
      readonly batch: ProbeBatchSource;
    });

const asList = (t: tf.Tensor | readonly tf.Tensor[]): readonly tf.Tensor[] => (Array.isArray(t) ? t : [t as tf.Tensor]);

export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

export function createProbeContext(spec: ProbeSpec): ProbeContext {
  if ('lossFn' in spec) return lossFnProbe(spec);
  return modelProbe(spec);
}

function lossFnProbe(spec: Extract<ProbeSpec, { lossFn: unknown }>): ProbeContext {
  if (spec.variables.length === 0) {
    throw new ConfigError('probe', ['probe.variables: empty; pass the trainable variables the loss depends on']);
  }
  const info: ProbeLossInfo = { name: spec.lossFn.name || 'lossFn', source: 'lossFn' };
  return probeContext({
    lossFn: spec.lossFn,
    variables: () => [...spec.variables],
    rows: () => spec.rows,
    ready: () => true,
    lossInfo: () => info,
    data: undefined,
    seed: spec.seed,
  });
}

function modelProbe(spec: Exclude<ProbeSpec, { lossFn: unknown }>): ProbeContext {
  const { model } = spec;
  const source: ProbeBatchSource = 'batch' in spec ? spec.batch : { current: () => spec };
  let checkedInputs: ProbeBatch | undefined;
  const batch = (): { xs: readonly tf.Tensor[]; ys: readonly tf.Tensor[] } => {
    const b = source.current();
    if (!b) throw new Error('probe: the probe batch is not available yet (it is collected from the first training batches)');
    const xs = asList(b.x);
    if (checkedInputs !== b) {
      checkProbeInputs(model, xs);
      checkedInputs = b;
    }
    return { xs, ys: asList(b.y) };
  };
  let resolved: { loss: ResolvedLoss; batch: ProbeBatch } | undefined;
  const loss = (): ResolvedLoss => {
    const b = source.current();
    if (resolved && resolved.batch === b) return resolved.loss;
    const r = resolveProbeLoss(model, spec.loss);
    if (b) {
      const { xs, ys } = batch();
      checkProbeTargets(model, xs[0]!.shape[0]!, ys, { lossName: r.name, targets: r.targets });
      resolved = { loss: r, batch: b };
    }
    return r;
  };
  // Refuse a bad batch at once when everything is known now; a model compiled later is checked on first use.
  if (source.current()) {
    batch();
    if (spec.loss !== undefined || isCompiled(model)) loss();
  }
  let variables: tf.Variable[] | undefined;
  const data: ProbeData = {
    model,
    batch: () => (source.current() ? batch() : undefined),
    dataLoss: (ys, outputs) => loss().data(ys, outputs),
    penalty: () => regularizationPenalty(model),
  };
  return probeContext({
    lossFn: () => {
      const { xs, ys } = batch();
      const r = loss();
      const out = model.apply(xs.length === 1 ? xs[0]! : [...xs], { training: false });
      return r.total(model, ys, asList(out as tf.Tensor | tf.Tensor[]));
    },
    variables: () => (variables ??= trainableVariables(model)),
    rows: () => {
      const b = source.current();
      return b ? (asList(b.x)[0]!.shape[0] ?? 0) : 0;
    },
    ready: () => source.current() !== undefined,
    lossInfo: () => {
      const r = loss();
      return { name: r.name, source: r.source };
    },
    data,
    seed: spec.seed,
  });
}

interface ProbeParts {
  readonly lossFn: () => tf.Scalar;
  readonly variables: () => readonly tf.Variable[];
  readonly rows: () => number;
  readonly ready: () => boolean;
  readonly lossInfo: () => ProbeLossInfo;
  readonly data: ProbeData | undefined;
  readonly seed: number | undefined;
}

function probeContext(parts: ProbeParts): ProbeContext {
  const { lossFn } = parts;
  const rng = createRng(parts.seed ?? 0x6b72616d);
  let size: number | undefined;
  const sizeOf = (): number => (size ??= flatSize(parts.variables()));

  const lossAndGradient = (): { loss: number; gradient: Float32Array } => {
    const variables = parts.variables();
    const gradient = new Float32Array(sizeOf());
    let loss = Number.NaN;
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(lossFn, variables as tf.Variable[]);
      loss = value.dataSync()[0]!;
      let offset = 0;
      for (const v of variables) {
        const g = grads[v.name];
        if (g) gradient.set(g.dataSync() as Float32Array, offset);
        offset += v.size;
      }
    });
    return { loss, gradient };
  };

  return {
    get variables() {
      return parts.variables();
    },
    get size() {
      return sizeOf();
    },
    get rows() {
      return parts.rows();
    },
    get ready() {
      return parts.ready();
    },
    lossInfo: parts.lossInfo,
    data: parts.data,
    rng,
    lossFn,
    loss: () => tf.tidy(() => lossFn().dataSync()[0]!),
    lossAndGradient,
    params: () => readFlat(parts.variables()),
    withParams<T>(flat: Float32Array, fn: () => T): T {
      const variables = parts.variables();
      // Keep the variables' current tensors: assigning them back restores the very same data, bit for bit.
      const saved = variables.map((v) => tf.keep(v.clone()));
      try {
        writeFlat(variables, flat);
        return fn();
      } finally {
        variables.forEach((v, i) => v.assign(saved[i]!));
        saved.forEach((t) => t.dispose());
      }
    },
  };
}
