/**
 * The plugin contract. A plugin is a plain object (as in Vite and Rollup): static facts the host reads before the
 * run (name, config schema, schedule, needs, the service it provides and the ones it uses) and a `setup` hook that
 * returns the per-run hooks. Per-run state lives in the closure `setup` creates, so one plugin object can
 * instrument several runs.
 */
import type * as tf from '@tensorflow/tfjs';
import type { EmitOptions, MetricValue, StepEvent } from './events.js';
import type { ProbeContext } from './probe-context.js';
import type { Schedule } from './schedule.js';
import type { ServiceToken } from './service-token.js';

/**
 * What a plugin asks the host to prepare before its step hook runs.
 * - `update`: parameter values from before the update (`previousParamValues`).
 * - `probe`: the probe context (fixed probe batch); the session must have been given one.
 * - `lossFn`: the step's own minibatch loss closure (synchronous use only).
 */
export type Need = 'update' | 'probe' | 'lossFn';

/** A JSON Schema (draft 2020-12 subset that ajv understands) for a plugin's config. */
export type JsonSchema = Readonly<Record<string, unknown>>;

export interface SetupContext<C> {
  readonly runId: string;
  /** The plugin's config, validated against its schema, defaults filled in. */
  readonly config: C;
  /** Another plugin's service, resolved through the session's container. Throws if nobody provides it. */
  get<T>(token: ServiceToken<T>): T;
  /** Whether some plugin of the session provides `token` (and is not switched off). */
  has(token: ServiceToken<unknown>): boolean;
  /** Emits a metric at the current iteration (-1 before the first step). */
  emit(name: string, value: MetricValue, options?: EmitOptions): void;
  /** The session's probe context, if one was configured. */
  readonly probe: ProbeContext | undefined;
}

/**
 * What a plugin sees during one step. The host refills the same object every step (the step path allocates as
 * little as it can), so keep values, not the context: it is only valid while `onStep` runs.
 */
export interface StepContext {
  readonly step: StepEvent;
  readonly iteration: number;
  /**
   * Gradient values per variable name, copied once per step and shared by all plugins. The arrays are reused on
   * later steps: copy (`.slice()`) what must outlive this step.
   */
  gradientValues(): ReadonlyMap<string, Float32Array>;
  /** Parameter values after the update, per variable name (reused later, like gradientValues). */
  paramValues(): ReadonlyMap<string, Float32Array>;
  /** Parameter values before the update. Requires `needs: ['update']`. */
  previousParamValues(): ReadonlyMap<string, Float32Array>;
  /** The step's minibatch loss closure. Requires `needs: ['lossFn']`; undefined for direct applyGradients. */
  readonly lossFn: (() => tf.Scalar) | undefined;
  /** The probe context. Requires `needs: ['probe']`. */
  readonly probe: ProbeContext | undefined;
  /** The instrumented optimizer itself, to read its state (learning rate, Adam's moment estimates). Never step it. */
  readonly optimizer: tf.Optimizer;
  /**
   * The iteration training is planned to end at (the number of updates the run will have made): from fit/fitDataset's
   * epochs and steps per epoch, or instrument()'s `totalSteps`; undefined when nobody said.
   */
  readonly plannedSteps: number | undefined;
  get<T>(token: ServiceToken<T>): T;
  has(token: ServiceToken<unknown>): boolean;
  emit(name: string, value: MetricValue, options?: EmitOptions): void;
}

/** What a plugin sees when training ends: the final parameters are in the model; no step is in progress. */
export type TrainEndContext = Pick<StepContext, 'iteration' | 'probe' | 'get' | 'has' | 'emit'> & {
  /** Why: a fit/fitDataset call returned (or the session's callback saw onTrainEnd), or the session was closed. */
  readonly reason: 'fit-end' | 'close';
  /** Whether this plugin's onStep ran at this iteration (a measuring plugin then has the final parameters already). */
  readonly ranAtStep: boolean;
};

export interface PluginHooks<S> {
  /** What this plugin serves to others under its `provides` token. */
  readonly service?: S;
  /** Runs after each due update, synchronously, inside a tf.tidy scope. */
  onStep?(ctx: StepContext): void;
  /**
   * Measures the final parameters when training ends (fit/fitDataset returns, or close()), once per final iteration
   * (a fit end and a later close() at the same step count as one), so a schedule never has to guess where the end
   * is. `ctx.ranAtStep` says whether onStep already ran at that step. Synchronous, inside tf.tidy.
   */
  onTrainEnd?(ctx: TrainEndContext): void;
  /** Releases what the plugin kept (tensors, files). Runs once when the session ends. */
  teardown?(): void;
}

export interface Plugin<C = unknown, S = unknown> {
  /** Unique within a session; used in metric events and error messages. */
  readonly name: string;
  /** 'pre' plugins run before normal ones, 'post' after; within a group, providers run before their users. */
  readonly enforce?: 'pre' | 'post';
  /** Default: every step. */
  readonly schedule?: Schedule;
  readonly needs?: readonly Need[];
  readonly configSchema?: JsonSchema;
  /** The user's config, as given; the host validates it against `configSchema` when the session starts. */
  readonly config?: unknown;
  readonly provides?: ServiceToken<S>;
  readonly dependsOn?: readonly ServiceToken<unknown>[];
  /**
   * Services used when present: their providers run first if the session has them, and the plugin asks
   * `ctx.has(token)` before `ctx.get(token)`. A missing one is not an error (unlike `dependsOn`).
   */
  readonly uses?: readonly ServiceToken<unknown>[];
  setup(ctx: SetupContext<C>): PluginHooks<S>;
}

/** Identity with inference: `definePlugin<Config, Service>({...})` checks the object against the contract. */
export function definePlugin<C, S = void>(plugin: Plugin<C, S>): Plugin<C, S> {
  return plugin;
}
