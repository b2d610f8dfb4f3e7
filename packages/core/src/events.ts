/**
 * The two streams kramers speaks: StepEvent (one per optimizer update) and KramersEvent (what plugins measure).
 * These shapes are the contract between instrumented training code, plugins, reporters and the dashboard.
 */
import type * as tf from '@tensorflow/tfjs';

/** What the optimizer is, read from the instance (className lower-cased, config from getConfig()). */
export interface OptimizerInfo {
  /** 'sgd', 'momentum', 'adam', 'rmsprop', 'adagrad', 'adadelta', 'adamax', 'sgld' or a user class name. */
  readonly kind: string;
  readonly className: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** One observed update. Tensor handles are valid only while subscribers run synchronously inside the step. */
export interface StepEvent {
  readonly runId: string;
  /** 0-based count of updates observed by this session. */
  readonly iteration: number;
  /** Minibatch loss before the update, when the step came through `minimize` (fit, trainOnBatch, user minimize). */
  readonly loss: number | undefined;
  readonly learningRate: number | undefined;
  /** Rows in this step's minibatch: observed from the model when one was given, else the configured value. */
  readonly batchSize: number | undefined;
  readonly optimizer: OptimizerInfo;
  /** Milliseconds since the Unix epoch. */
  readonly wallTime: number;
  /** Milliseconds since instrument() was called, by the run's own clock (instrument's `clock` option) when it has one. */
  readonly elapsedMs: number;
  /** The step's gradients by variable name. Throws once the step is over (tfjs disposes them). */
  gradients(): Readonly<Record<string, tf.Tensor>>;
  /** The variables updated in this step, by name, holding their new values. */
  params(): Readonly<Record<string, tf.Variable>>;
}

/** A histogram pre-binned by the producer: counts[i] falls in [edges[i], edges[i+1]). */
export interface Histogram {
  readonly kind: 'histogram';
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  readonly sum?: number;
  readonly sumSquares?: number;
}

export interface Vector {
  readonly kind: 'vector';
  readonly values: readonly number[];
  readonly labels?: readonly string[];
}

export interface Table {
  readonly kind: 'table';
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number | null>>;
}

export type MetricValue = number | Vector | Histogram | Table;

/** How sure an estimate is: a standard error and/or an interval at a stated level. */
export interface Uncertainty {
  readonly stderr?: number;
  readonly lower?: number;
  readonly upper?: number;
  /** Confidence level of [lower, upper], e.g. 0.95. */
  readonly level?: number;
}

export interface MetricEvent {
  readonly kind: 'metric';
  readonly runId: string;
  readonly iteration: number;
  readonly plugin: string;
  readonly name: string;
  /** Layer (variable-name prefix) the value belongs to; absent for whole-model values. */
  readonly layer?: string;
  readonly value: MetricValue;
  readonly unit?: string;
  readonly uncertainty?: Uncertainty;
  /** True when the value is a model-based prediction rather than a measurement. */
  readonly prediction?: boolean;
  /** Facts about how the value was measured, e.g. `{ loss: 'meanSquaredError', lossSource: 'compiled model' }`. */
  readonly attributes?: Attributes;
  /** Milliseconds since the Unix epoch. Metrics emitted in a step carry that step's StepEvent wallTime. */
  readonly wallTime: number;
}

export type Attributes = Readonly<Record<string, string | number | boolean>>;

/** A plugin threw: it has been switched off for this run; training and the other plugins go on. */
export interface PluginErrorEvent {
  readonly kind: 'plugin-error';
  readonly runId: string;
  readonly iteration: number;
  readonly plugin: string;
  /** Which hook failed. */
  readonly phase: 'setup' | 'step' | 'train-end' | 'teardown';
  readonly message: string;
  readonly stack?: string;
  readonly wallTime: number;
}

/**
 * A run begins or ends. `start` carries what was run (optimizer, settings, data); `end` carries how it ended
 * (`status`: 'completed', 'diverged' when parameters or the loss became non-finite, 'interrupted', 'failed') and its
 * final numbers. Several runs, or repeated invocations appending to one log, are separated by these events.
 */
export interface RunEvent {
  readonly kind: 'run';
  readonly runId: string;
  readonly iteration: number;
  readonly phase: 'start' | 'end';
  readonly info: Readonly<Record<string, unknown>>;
  readonly wallTime: number;
}

export type KramersEvent = MetricEvent | PluginErrorEvent | RunEvent;

/** Options a plugin passes with each emitted value. */
export interface EmitOptions {
  readonly layer?: string;
  readonly unit?: string;
  readonly uncertainty?: Uncertainty;
  readonly prediction?: boolean;
  readonly attributes?: Attributes;
}
