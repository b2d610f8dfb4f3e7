/**
 * kramers as a tfjs fit callback. At each epoch end it writes the latest value of every scalar metric of the run into
 * fit's `logs` (so they land in `History`, in tfjs-vis's fitCallbacks and in any callback after it); it has the
 * final parameters measured when training ends (at the last epoch's end, before the logs are written, so the last
 * History row holds them; and at onTrainEnd for early stops); and it yields to the event loop every few milliseconds,
 * which `fit` otherwise only does when some callback asks for it.
 */
import * as tf from '@tensorflow/tfjs';
import { metricKey, type RunSummary } from './latest.js';
import { eventLoopYielder } from './yield.js';

/** What the callback needs from its session. */
export interface FitCallbackSession {
  summary(): RunSummary;
  /** Measure the final parameters (plugins' onTrainEnd) unless already done at this iteration. */
  trainEnd(): void;
  /** Training will make this many more updates (fit's epochs × steps per epoch), when tfjs says. */
  planSteps(remaining: number): void;
}

/** Updates fit/fitDataset will make, from the params tfjs gives its callbacks; undefined when they do not tell. */
export function plannedUpdates(params: tf.CustomCallbackArgs | Record<string, unknown> | undefined): number | undefined {
  const p = (params ?? {}) as Record<string, unknown>;
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
  const epochs = num(p['epochs']);
  if (epochs === undefined) return undefined;
  const initial = num(p['initialEpoch']) ?? 0;
  const samples = num(p['samples']);
  const batchSize = num(p['batchSize']);
  // fit on tensors gives samples and batchSize; fitDataset gives steps (batchesPerEpoch) when the user set it.
  const perEpoch = num(p['steps']) ?? (samples !== undefined && batchSize ? Math.ceil(samples / batchSize) : undefined);
  return perEpoch === undefined ? undefined : Math.max(0, epochs - initial) * perEpoch;
}

export interface FitCallbackOptions {
  /** Put the run's scalar metrics into fit's logs at each epoch end (default true). */
  readonly logs?: boolean;
  /** Yield to the event loop when this many milliseconds have passed since the last yield (default 25). */
  readonly yieldEveryMs?: number;
}

/** Logs keys are `plugin/name` (or `plugin/name@layer`), the keys of `summary().metrics`. */
export function scalarLogs(summary: RunSummary): Record<string, number> {
  const out: Record<string, number> = {};
  for (const event of Object.values(summary.metrics)) {
    if (typeof event.value === 'number') out[metricKey(event)] = event.value;
  }
  return out;
}

export class KramersFitCallback extends tf.Callback {
  private readonly maybeYield: () => Promise<void>;
  private readonly writeLogs: boolean;

  constructor(
    readonly session: FitCallbackSession,
    options: FitCallbackOptions = {},
  ) {
    super();
    this.maybeYield = eventLoopYielder(options.yieldEveryMs ?? 25);
    this.writeLogs = options.logs ?? true;
  }

  override async onTrainBegin(): Promise<void> {
    const remaining = plannedUpdates(this.params);
    if (remaining !== undefined) this.session.planSteps(remaining);
  }

  // Not async: between yields this returns the one already-resolved promise, with no promise of its own per batch.
  override onBatchEnd(): Promise<void> {
    return this.maybeYield();
  }

  override async onEpochEnd(epoch: number, logs?: tf.Logs): Promise<void> {
    if (epoch === Number(this.params['epochs']) - 1) this.session.trainEnd();
    if (logs && this.writeLogs) Object.assign(logs, scalarLogs(this.session.summary()));
    await this.maybeYield();
  }

  override async onTrainEnd(): Promise<void> {
    this.session.trainEnd();
  }
}

type CallbackLike = tf.CustomCallbackArgs | tf.Callback;

const isCallbackObject = (c: unknown): c is tf.Callback =>
  typeof c === 'object' && c !== null && typeof (c as { setParams?: unknown }).setParams === 'function';

/**
 * fit's `callbacks` with this session's callback first (so later callbacks see its logs), unless the user already
 * passed one of this session's. Plain `{ onEpochEnd, … }` objects become CustomCallbacks as tfjs would make them:
 * tfjs only converts a list whose first entry is a plain object.
 */
export function withSessionCallback(
  callbacks: CallbackLike | CallbackLike[] | undefined,
  session: FitCallbackSession,
  yieldEvery: tf.ModelFitArgs['yieldEvery'],
): tf.Callback[] {
  const given = callbacks === undefined || callbacks === null ? [] : Array.isArray(callbacks) ? callbacks : [callbacks];
  const converted = given.map((c) => (isCallbackObject(c) ? c : (new tf.CustomCallback(c, yieldEvery) as unknown as tf.Callback)));
  const present = converted.some((c) => c instanceof KramersFitCallback && c.session === session);
  return present ? converted : [new KramersFitCallback(session), ...converted];
}
