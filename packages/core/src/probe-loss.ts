/**
 * The loss a probe measures: by default the one the model is compiled with (its own loss functions, summed over
 * outputs and averaged over rows as LayersModel's train function does, plus the layers' regularisation penalties), so
 * curvature is always that of the objective being trained. A name or function can override it; a model that is
 * neither compiled nor given a loss is an error, never a guess.
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from './config-validation.js';

/** Losses a probe knows by name: tfjs-layers' loss of the same name (Huber: δ = 1, per element, as tf.losses.huberLoss). */
export const PROBE_LOSS_NAMES = [
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
  'binaryCrossentropy',
  'meanSquaredError',
  'meanAbsoluteError',
  'huber',
] as const;
export type ProbeLossName = (typeof PROBE_LOSS_NAMES)[number];

/** Per-row loss (shape [rows] or [rows, …]); the probe takes the mean. */
export type LossFunction = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

export type ProbeLoss = ProbeLossName | LossFunction;

/** Where a probe's loss came from: the compiled model, the `loss` option, or a `lossFn` given directly. */
export type ProbeLossSource = 'compiled model' | 'option' | 'lossFn';

export type TargetLayout = 'output shape' | 'class labels' | 'any';

export interface ResolvedLoss {
  /** The loss name (a tfjs loss name, or the function's name). */
  readonly name: string;
  readonly source: ProbeLossSource;
  /**
   * The target layout the loss expects: the output's own shape, a column of integer class labels, or (a user's
   * function) whatever it defines.
   */
  readonly targets: TargetLayout;
  /** Mean data loss over rows, summed over outputs, plus regularisation: the scalar training minimises. */
  total(model: tf.LayersModel, ys: readonly tf.Tensor[], outputs: readonly tf.Tensor[]): tf.Scalar;
  /** The data part alone: mean over rows of the per-row loss summed over outputs. */
  data(ys: readonly tf.Tensor[], outputs: readonly tf.Tensor[]): tf.Scalar;
}

const ALIASES: Readonly<Record<string, ProbeLossName>> = {
  mse: 'meanSquaredError',
  MSE: 'meanSquaredError',
  mae: 'meanAbsoluteError',
  MAE: 'meanAbsoluteError',
  huberLoss: 'huber',
};

/** Numerical guard tfjs-layers' losses use (its backend epsilon). */
const EPSILON = 1e-7;

const named: Readonly<Record<ProbeLossName, LossFunction>> = {
  categoricalCrossentropy: (y, p) => tf.metrics.categoricalCrossentropy(y, p),
  // tfjs-layers' sparseCategoricalCrossentropy (not exported by tfjs): clip, one-hot the integer labels, then CE.
  sparseCategoricalCrossentropy: (y, p) => {
    const depth = p.shape[p.shape.length - 1]!;
    const labels = tf.cast(tf.floor(tf.reshape(y, [-1])), 'int32');
    const oneHot = tf.reshape(tf.oneHot(labels, depth), p.shape);
    return tf.metrics.categoricalCrossentropy(oneHot, tf.clipByValue(p, EPSILON, 1 - EPSILON));
  },
  binaryCrossentropy: (y, p) => tf.metrics.binaryCrossentropy(y, p),
  meanSquaredError: (y, p) => tf.metrics.meanSquaredError(y, p),
  meanAbsoluteError: (y, p) => tf.metrics.meanAbsoluteError(y, p),
  huber: (y, p) => tf.mean(tf.losses.huberLoss(y, p, undefined, 1, tf.Reduction.NONE), -1),
};

/** The known name a string stands for, or undefined. */
export function probeLossName(name: string): ProbeLossName | undefined {
  return (PROBE_LOSS_NAMES as readonly string[]).includes(name) ? (name as ProbeLossName) : ALIASES[name];
}

/** The per-row function of a known loss name; throws naming the choices otherwise. */
export function namedLossFunction(name: string, where = 'probe.loss'): LossFunction {
  const known = probeLossName(name);
  if (!known) {
    throw new ConfigError(where, [`unknown loss "${name}"; use one of ${PROBE_LOSS_NAMES.join(', ')}, or pass a function (yTrue, yPred) => per-row loss`]);
  }
  return named[known];
}

/** What LayersModel.compile stored (on the inner model for a Sequential). */
interface CompiledModel {
  loss?: unknown;
  lossFunctions?: LossFunction[];
  model?: CompiledModel;
}

/** Whether `model.compile(…)` has given the model a loss. */
export function isCompiled(model: tf.LayersModel): boolean {
  return compiledOf(model) !== undefined;
}

function compiledOf(model: tf.LayersModel): CompiledModel | undefined {
  const m = model as unknown as CompiledModel;
  const inner = m.lossFunctions ? m : m.model;
  return inner?.lossFunctions && inner.lossFunctions.length > 0 ? inner : undefined;
}

function describeCompiledLoss(loss: unknown, fns: readonly LossFunction[]): string {
  if (typeof loss === 'string') return loss;
  if (Array.isArray(loss)) return loss.map((l, i) => describeCompiledLoss(l, [fns[i]!])).join(', ');
  if (loss && typeof loss === 'object') return Object.values(loss).map((l) => describeCompiledLoss(l, [])).join(', ');
  const fn = typeof loss === 'function' ? loss : fns[0];
  return fn?.name ? fn.name : 'custom loss function';
}

function layoutOf(name: string): TargetLayout {
  return probeLossName(name) === 'sparseCategoricalCrossentropy' ? 'class labels' : 'output shape';
}

/** Regularisation penalties of the model's layers at the current weights (LayersModel.calculateLosses()). */
function regularization(model: tf.LayersModel): tf.Scalar[] {
  const m = model as unknown as {
    calculateLosses?: () => tf.Scalar[];
    model?: { calculateLosses?: () => tf.Scalar[] };
    build?: () => void;
  };
  // A Sequential creates the inner model that knows its layers' penalties only when first built or applied.
  if (model instanceof tf.Sequential && m.model === undefined) m.build?.();
  const target = m.model?.calculateLosses ? m.model : m;
  return target.calculateLosses ? target.calculateLosses() : [];
}

/** The sum of the model's regularisation penalties at the current weights (0 when it has none). */
export function regularizationPenalty(model: tf.LayersModel): tf.Scalar {
  return regularization(model).reduce<tf.Scalar>((sum, p) => tf.add(sum, p), tf.scalar(0));
}

// A loss function may return per-row values or (tf.losses.*) their mean; the mean over rows is the same either way.
function meanLosses(fns: readonly LossFunction[]) {
  return {
    data(ys: readonly tf.Tensor[], outputs: readonly tf.Tensor[]): tf.Scalar {
      let total: tf.Tensor | undefined;
      fns.forEach((fn, i) => {
        const term = tf.mean(fn(ys[i]!, outputs[i]!));
        total = total ? tf.add(total, term) : term;
      });
      return total as tf.Scalar;
    },
    total(model: tf.LayersModel, ys: readonly tf.Tensor[], outputs: readonly tf.Tensor[]): tf.Scalar {
      let total: tf.Tensor = this.data(ys, outputs);
      for (const penalty of regularization(model)) total = tf.add(total, penalty);
      return total as tf.Scalar;
    },
  };
}

/**
 * The probe's loss for `model`: the `override` when given (one function for every output), else the compiled
 * model's. Throws a ConfigError naming both fixes when there is neither.
 */
export function resolveProbeLoss(model: tf.LayersModel, override: ProbeLoss | undefined): ResolvedLoss {
  const outputs = model.outputs.length;
  if (override !== undefined) {
    const fn = typeof override === 'function' ? override : namedLossFunction(override);
    const name = typeof override === 'function' ? override.name || 'custom loss function' : probeLossName(override)!;
    const targets = typeof override === 'function' ? 'any' : layoutOf(name);
    return { name, source: 'option', targets, ...meanLosses(Array.from({ length: outputs }, () => fn)) };
  }
  const compiled = compiledOf(model);
  if (!compiled) {
    throw new ConfigError('probe.loss', [
      `the model "${model.name}" is not compiled, so there is no training loss to follow; compile it before training ` +
        `(model.compile({ optimizer, loss })) or pass probe: { …, loss: '${PROBE_LOSS_NAMES[0]}' } (one of ${PROBE_LOSS_NAMES.join(', ')}, or a function)`,
    ]);
  }
  const fns = compiled.lossFunctions!;
  const name = describeCompiledLoss(compiled.loss, fns);
  // tfjs's own losses are named by strings; a function given to compile is the user's, with its own target layout.
  const targets = typeof compiled.loss === 'string' ? layoutOf(compiled.loss) : 'any';
  return { name, source: 'compiled model', targets, ...meanLosses(fns) };
}
