/**
 * instrument(): observes every update of any tfjs optimizer instance. The interception point is the instance's
 * `applyGradients`, which fit, fitDataset, trainOnBatch, minimize and hand-written loops all reach; `minimize`
 * is wrapped as well to capture the loss and the loss closure (docs/tfjs-second-order.md §8.1). Instances are
 * patched, not subclassed, because users bring their own optimizer objects; `close()` undoes the patch.
 */
import * as tf from '@tensorflow/tfjs';
import { filter, Observable, Subject } from 'rxjs';
import { observeBatchSize } from './batch-size-observer.js';
import { eventFanout } from './event-fanout.js';
import type { KramersEvent, StepEvent } from './events.js';
import { KramersFitCallback, type FitCallbackOptions } from './fit-callback.js';
import { addSessionCallbackToFit } from './fit-wrapper.js';
import { runAccumulator, type RunSummary } from './latest.js';
import type { MetricBus } from './metric-bus.js';
import { learningRateOf, optimizerInfo } from './optimizer-info.js';
import type { Plugin } from './plugin.js';
import { createPluginHost, type PluginStats, type StepInputs } from './plugin-host.js';
import { createProbeContext, type ProbeSpec } from './probe.js';
import { readInto } from './value-reader.js';

export interface InstrumentOptions {
  /** Names this run in every event; default 'run-<n>'. */
  readonly runId?: string;
  readonly plugins?: readonly Plugin<never, unknown>[];
  /** A shared stream for several runs; by default the session has its own. */
  readonly bus?: MetricBus;
  /** Minibatch size to report when it cannot be observed (hand-written loops). */
  readonly batchSize?: number;
  /**
   * The model being trained: kramers observes each minibatch's size under fit/fitDataset/trainOnBatch, and adds its
   * callback to the model's fit/fitDataset (final measurement, metrics in History, event-loop yields).
   */
  readonly model?: tf.LayersModel;
  /** A fixed probe batch for plugins that evaluate loss, gradients or curvature at the current parameters. */
  readonly probe?: ProbeSpec;
  /**
   * Updates the whole run will make, for plugins that compare with the remaining budget (the escape plugin's
   * "trapped" alert). fit/fitDataset of the instrumented model set it themselves; give it for hand-written loops.
   */
  readonly totalSteps?: number;
  /**
   * This run's own elapsed milliseconds so far (default: wall time since instrument()). Time budgets (the default
   * measurement schedule) are fractions of it. Give it when several runs take turns in one thread, as compare's do:
   * with the wall clock each run would count its neighbours' training as its own and spend their budget too.
   */
  readonly clock?: () => number;
}

export interface KramersSession {
  readonly runId: string;
  /** One event per observed update. */
  readonly step$: Observable<StepEvent>;
  /**
   * This run's metrics and plugin errors. While nobody subscribes (and the session has its own bus), a plugin error is
   * also written to the console once per plugin, so a failed measurement is never silent.
   */
  readonly metric$: Observable<KramersEvent>;
  /** Updates observed so far. */
  readonly iterations: number;
  /** The iteration training is planned to end at (see `planSteps`), or undefined. */
  readonly plannedSteps: number | undefined;
  /** Training will make `remaining` more updates from now (fit's callback calls it at the start of each fit). */
  planSteps(remaining: number): void;
  /** Milliseconds spent in kramers (snapshots, plugins) and in training proper, so far. */
  overhead(): { readonly instrumentationMs: number; readonly trainMs: number; readonly plugins: readonly PluginStats[] };
  /** The latest value of every metric of this run (keys `plugin/name[@layer]`), its plugin errors, its last iteration. */
  summary(): RunSummary;
  /**
   * A tfjs callback for `fit`/`fitDataset`: puts the latest scalar metrics into `logs` at each epoch end (History,
   * tfjs-vis), measures the final parameters when training ends, and yields to the event loop. Added automatically
   * to the `model` given to instrument(); pass it yourself for other models.
   */
  callback(options?: FitCallbackOptions): tf.Callback;
  /**
   * Training has ended: plugins measure the final parameters (their onTrainEnd), unless they already ran at the last
   * step. fit/fitDataset of the instrumented model and close() call it; call it yourself at the end of a phase.
   */
  trainEnd(): void;
  /** True once close() has run. */
  readonly closed: boolean;
  /**
   * Measures the final parameters (as trainEnd), tears plugins down, restores the optimizer's and the model's own
   * methods, completes this session's streams. Idempotent.
   */
  close(): void;
}

export type Instrumented<O extends tf.Optimizer> = O & { readonly kramers: KramersSession };

type NamedTensor = { name: string; tensor: tf.Tensor };
type Grads = tf.NamedTensorMap | NamedTensor[];
type MinimizeFn = (f: () => tf.Scalar, returnCost?: boolean, varList?: tf.Variable[]) => tf.Scalar | null;

let runCounter = 0;

function namedGradients(grads: Grads): Record<string, tf.Tensor> {
  if (!Array.isArray(grads)) return grads;
  const out: Record<string, tf.Tensor> = {};
  for (const { name, tensor } of grads) out[name] = tensor;
  return out;
}

/**
 * Per-step value copies, reused across steps so steady-state training allocates nothing here. Parameters are
 * double-buffered: the copy read after step t is step t+1's pre-update snapshot when the variable still holds the
 * same tensor data (nobody assigned to it in between); otherwise it is read again.
 */
interface ValueBuffers {
  readonly gradients: Map<string, Float32Array>;
  readonly params: Map<string, { dataId: object; values: Float32Array; spare: Float32Array | undefined }>;
  /** The maps handed out (refilled each step; valid during the step only, like their arrays). */
  readonly gradientMap: StepMap;
  readonly beforeMap: StepMap;
  readonly afterMap: StepMap;
}

/**
 * A map handed to plugins and refilled every step. `Map.prototype.clear` allocates a new table (≈ 1 µs per call on
 * V8, measured), so the map is emptied only when the step's names differ from those it was filled for; otherwise
 * `set` overwrites each value in place and the order stays the names' order.
 */
interface StepMap {
  readonly map: Map<string, Float32Array>;
  /** The names array the map was filled for (instrument keeps one array per distinct set of gradient names). */
  names: readonly string[] | undefined;
}

function stepMap(): StepMap {
  return { map: new Map(), names: undefined };
}

function startFill(m: StepMap, names: readonly string[]): Map<string, Float32Array> {
  if (m.names !== names) {
    m.map.clear();
    m.names = names;
  }
  return m.map;
}

/** A name without values this step: dropped, and the map is rebuilt in order next step. */
function skipName(m: StepMap, name: string): void {
  m.map.delete(name);
  m.names = undefined;
}

/**
 * Whether `named` holds exactly last step's gradient names, in order, each still naming the variable found then.
 * Checked without allocating (it runs on every step).
 */
function sameVariables(
  named: Record<string, tf.Tensor>,
  names: readonly string[],
  params: Record<string, tf.Variable>,
  registered: Record<string, tf.Variable>,
): boolean {
  let i = 0;
  for (const n in named) {
    if (n !== names[i] || params[n] !== registered[n]) return false;
    i++;
  }
  return i === names.length;
}

function readGradients(names: readonly string[], tensors: Record<string, tf.Tensor>, buffers: ValueBuffers): Map<string, Float32Array> {
  const out = startFill(buffers.gradientMap, names);
  for (const name of names) {
    const t = tensors[name];
    if (!t) {
      skipName(buffers.gradientMap, name);
      continue;
    }
    const values = readInto(t, buffers.gradients.get(name));
    buffers.gradients.set(name, values);
    out.set(name, values);
  }
  return out;
}

function readParams(
  names: readonly string[],
  variables: Record<string, tf.Variable>,
  buffers: ValueBuffers,
  target: StepMap,
): Map<string, Float32Array> {
  const out = startFill(target, names);
  for (const name of names) {
    const v = variables[name];
    if (!v) {
      skipName(target, name);
      continue;
    }
    const held = buffers.params.get(name);
    if (held === undefined) {
      const values = readInto(v, undefined);
      buffers.params.set(name, { dataId: v.dataId as object, values, spare: undefined });
      out.set(name, values);
      continue;
    }
    if (held.dataId !== v.dataId) {
      // The variable holds new data: read it into the spare array, and keep the last copy as the next spare.
      const values = readInto(v, held.spare);
      held.spare = held.values;
      held.values = values;
      held.dataId = v.dataId as object;
    }
    out.set(name, held.values);
  }
  return out;
}

export function instrument<O extends tf.Optimizer>(optimizer: O, options: InstrumentOptions = {}): Instrumented<O> {
  const previous = (optimizer as unknown as Partial<Instrumented<O>>).kramers;
  if (previous && !previous.closed) {
    throw new Error(
      `instrument(): this optimizer is already instrumented as run "${(optimizer as unknown as Instrumented<O>).kramers.runId}"; ` +
        'call .kramers.close() first or instrument a separate optimizer instance',
    );
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw new TypeError(`instrument(): clock must be a function returning this run's elapsed milliseconds, got ${typeof options.clock}`);
  }
  if (options.totalSteps !== undefined && !(Number.isInteger(options.totalSteps) && options.totalSteps > 0)) {
    throw new RangeError(`instrument(): totalSteps must be a positive integer (the updates the run will make), got ${String(options.totalSteps)}`);
  }
  if (options.batchSize !== undefined && !(Number.isInteger(options.batchSize) && options.batchSize > 0)) {
    throw new RangeError(`instrument(): batchSize must be a positive integer, got ${String(options.batchSize)}`);
  }
  const runId = options.runId ?? `run-${++runCounter}`;
  const ownBus = options.bus === undefined;
  // Without a shared bus the session's events go straight to its own subscribers (no Subject on the step path).
  const own = ownBus ? eventFanout<KramersEvent>() : undefined;
  const steps = new Subject<StepEvent>();
  const probe = options.probe ? createProbeContext(options.probe) : undefined;
  const host = createPluginHost({
    runId,
    plugins: options.plugins ?? [],
    probe,
    publish: (e) => publish(e),
  });

  const start = performance.now();
  const elapsed: () => number = options.clock ?? (() => performance.now() - start);
  let instrumentationMs = 0;
  let iteration = 0;
  let closed = false;
  let observedBatch: number | undefined;
  let plannedSteps: number | undefined = options.totalSteps;
  const planSteps = (remaining: number): void => {
    if (!(Number.isInteger(remaining) && remaining >= 0)) {
      throw new RangeError(`planSteps: remaining must be an integer ≥ 0 (updates still to make), got ${String(remaining)}`);
    }
    plannedSteps = iteration + remaining;
  };
  let currentLoss: tf.Scalar | undefined;
  let currentLossFn: (() => tf.Scalar) | undefined;
  const buffers: ValueBuffers = {
    gradients: new Map(),
    params: new Map(),
    gradientMap: stepMap(),
    beforeMap: stepMap(),
    afterMap: stepMap(),
  };
  // The variables a step updates, looked up once per distinct set of gradient names (normally once per run).
  let knownNames: readonly string[] = [];
  let knownParams: Record<string, tf.Variable> = {};
  const unobserveBatch = options.model ? observeBatchSize(options.model, (rows) => (observedBatch = rows)) : undefined;
  const accumulator = runAccumulator(runId);
  // A plugin that fails is switched off and reported on metric$; when nobody listens there (own bus, no subscriber),
  // say so on the console once per plugin, or a script would go on without the measurement and without a word.
  let listeners = 0;
  const warned = new Set<string>();
  const record = (e: KramersEvent): void => {
    accumulator.add(e);
    if (e.kind === 'plugin-error' && ownBus && listeners === 0 && !warned.has(e.plugin)) {
      warned.add(e.plugin);
      console.warn(`kramers: plugin "${e.plugin}" of run ${runId} failed at step ${e.iteration} (${e.phase}) and is switched off: ${e.message}`);
    }
  };
  // The session's own stream carries only this session's events, so they are recorded on the way in rather than by
  // a subscriber (one dispatch less per event on the step path); a shared bus may carry events other code publishes
  // for this run, so there the session listens.
  const shared = options.bus;
  const accumulation = shared?.subscribe(record);
  const publish = own
    ? (e: KramersEvent): void => {
        record(e);
        own.next(e);
      }
    : (e: KramersEvent): void => shared!.next(e);
  const source = own ? own.observable : shared!.pipe(filter((e) => e.runId === runId));
  const metric$ = new Observable<KramersEvent>((subscriber) => {
    listeners++;
    const subscription = source.subscribe(subscriber);
    return () => {
      listeners--;
      subscription.unsubscribe();
    };
  });
  const trainEnd = (reason: 'fit-end' | 'close'): void => {
    const t0 = performance.now();
    host.trainEnd(iteration - 1, reason);
    instrumentationMs += performance.now() - t0;
  };
  const callbackSession = { summary: accumulator.summary, trainEnd: () => trainEnd('fit-end'), planSteps };
  const unwrapFit = options.model ? addSessionCallbackToFit(options.model, callbackSession) : undefined;

  const opt = optimizer as unknown as {
    applyGradients: (g: Grads) => void;
    minimize: MinimizeFn;
  };
  const ownApply = Object.prototype.hasOwnProperty.call(opt, 'applyGradients');
  const ownMinimize = Object.prototype.hasOwnProperty.call(opt, 'minimize');
  const originalApply = opt.applyGradients;
  const originalMinimize = opt.minimize;

  // One capturing closure for the session, not one per step: minimize calls it synchronously, while
  // currentLossFn is the closure of the call in progress.
  const capture = (): tf.Scalar => {
    const value = currentLossFn!();
    currentLoss = value;
    return value;
  };
  opt.minimize = function (this: unknown, f, returnCost, varList) {
    currentLossFn = f;
    try {
      return originalMinimize.call(this, capture, returnCost, varList);
    } finally {
      currentLoss = undefined;
      currentLossFn = undefined;
    }
  };

  // Per-step state behind stable accessors: the step path allocates no closures beyond the StepEvent's own two.
  const state = {
    names: [] as readonly string[],
    named: {} as Record<string, tf.Tensor>,
    params: {} as Record<string, tf.Variable>,
    before: undefined as Map<string, Float32Array> | undefined,
    gradients: undefined as Map<string, Float32Array> | undefined,
    after: undefined as Map<string, Float32Array> | undefined,
  };
  const inputs: { -readonly [K in keyof StepInputs]: StepInputs[K] } = {
    step: undefined as unknown as StepEvent,
    iteration: -1,
    gradientValues: () => (state.gradients ??= readGradients(state.names, state.named, buffers)),
    paramValues: () => (state.after ??= readParams(state.names, state.params, buffers, buffers.afterMap)),
    previousParamValues: () => state.before!,
    lossFn: undefined,
    optimizer,
    plannedSteps: undefined,
  };
  const lossBuffer = new Float32Array(1);
  // Optimizer info is rebuilt only when the learning rate changes (the one setting training loops change).
  let info = optimizerInfo(optimizer);
  let infoRate: unknown = (optimizer as { learningRate?: unknown }).learningRate;
  let learningRate = learningRateOf(info);

  opt.applyGradients = function (this: unknown, grads: Grads) {
    const t0 = performance.now();
    const it = iteration;
    const trainBefore = (options.clock === undefined ? t0 - start : elapsed()) - instrumentationMs;
    const due = host.due(it, trainBefore);
    const wantStep = steps.observed;
    if (due.count === 0 && !wantStep) {
      instrumentationMs += performance.now() - t0;
      originalApply.call(this, grads);
      iteration++;
      return;
    }
    const named = namedGradients(grads);
    const registered = tf.engine().registeredVariables;
    if (!sameVariables(named, knownNames, knownParams, registered)) {
      knownNames = Object.keys(named);
      knownParams = {};
      for (const n of knownNames) if (registered[n]) knownParams[n] = registered[n];
    }
    const current = knownParams;
    state.names = knownNames;
    state.named = named;
    state.params = current;
    state.gradients = undefined;
    state.after = undefined;
    state.before = due.needsUpdate ? readParams(knownNames, current, buffers, buffers.beforeMap) : undefined;
    const loss = currentLoss && !currentLoss.isDisposed ? readInto(currentLoss, lossBuffer)[0] : undefined;
    const tApply = performance.now();
    originalApply.call(this, grads);
    const tAfter = performance.now();

    let live = true;
    const rate = (optimizer as { learningRate?: unknown }).learningRate;
    if (rate !== infoRate) {
      info = optimizerInfo(optimizer);
      infoRate = rate;
      learningRate = learningRateOf(info);
    }
    const event: StepEvent = {
      runId,
      iteration: it,
      loss,
      learningRate,
      batchSize: observedBatch ?? options.batchSize,
      optimizer: info,
      wallTime: Date.now(),
      elapsedMs: options.clock === undefined ? tAfter - start : elapsed(),
      gradients: () => {
        if (!live) throw new Error(`step ${it} is over: its gradients are disposed; copy them inside the subscriber`);
        return named;
      },
      params: () => {
        if (!live) throw new Error(`step ${it} is over: read parameters inside the subscriber`);
        return current;
      },
    };
    try {
      if (due.count > 0) {
        inputs.step = event;
        inputs.iteration = it;
        inputs.lossFn = currentLossFn;
        inputs.plannedSteps = plannedSteps;
        host.run(inputs, trainBefore);
      }
      if (wantStep) steps.next(event);
    } finally {
      live = false;
      inputs.lossFn = undefined;
      iteration++;
      instrumentationMs += tApply - t0 + (performance.now() - tAfter);
    }
  };

  const session: KramersSession = {
    runId,
    step$: steps.asObservable(),
    metric$,
    get iterations() {
      return iteration;
    },
    get plannedSteps() {
      return plannedSteps;
    },
    planSteps,
    overhead: () => ({
      instrumentationMs,
      trainMs: elapsed() - instrumentationMs,
      plugins: host.stats(),
    }),
    summary: accumulator.summary,
    callback: (callbackOptions) => new KramersFitCallback(callbackSession, callbackOptions),
    trainEnd: () => {
      if (!closed) trainEnd('fit-end');
    },
    get closed() {
      return closed;
    },
    close() {
      if (closed) return;
      try {
        trainEnd('close');
      } finally {
        closed = true;
        host.teardown(iteration);
      }
      if (ownApply) opt.applyGradients = originalApply;
      else delete (opt as Partial<typeof opt>).applyGradients;
      if (ownMinimize) opt.minimize = originalMinimize;
      else delete (opt as Partial<typeof opt>).minimize;
      unobserveBatch?.();
      unwrapFit?.();
      // `optimizer.kramers` stays, closed, so a second close() is a no-op; instrument() may replace it.
      steps.complete();
      own?.complete();
      accumulation?.unsubscribe();
    },
  };
  Object.defineProperty(optimizer, 'kramers', { value: session, enumerable: false, configurable: true });
  return optimizer as Instrumented<O>;
}
