/**
 * With `instrument(optimizer, { model })`, the model's own `fit` and `fitDataset` get the session's callback added,
 * so an ordinary training script needs no change of its `fit` call to have the final parameters measured, kramers'
 * metrics in its History, and an event loop that keeps running (timers, log flushes, servers) while it trains.
 * The instance is patched, not its class; the returned function undoes it.
 */
import type * as tf from '@tensorflow/tfjs';
import { withSessionCallback, type FitCallbackSession } from './fit-callback.js';

type FitArgs = { callbacks?: Parameters<typeof withSessionCallback>[0]; yieldEvery?: tf.ModelFitArgs['yieldEvery'] };
type Fit = (...args: unknown[]) => Promise<tf.History>;

export function addSessionCallbackToFit(model: tf.LayersModel, session: FitCallbackSession): () => void {
  const target = model as unknown as Record<'fit' | 'fitDataset', Fit>;
  const undo: Array<() => void> = [];
  // fit(x, y, args) and fitDataset(dataset, args): the args object is the last parameter.
  for (const [method, argsIndex] of [['fit', 2], ['fitDataset', 1]] as const) {
    const own = Object.prototype.hasOwnProperty.call(target, method);
    const original = target[method];
    target[method] = function (this: unknown, ...params: unknown[]) {
      const args = { ...((params[argsIndex] as FitArgs | undefined) ?? {}) };
      args.callbacks = withSessionCallback(args.callbacks, session, args.yieldEvery) as FitArgs['callbacks'];
      params[argsIndex] = args;
      return original.apply(this, params);
    };
    undo.push(() => {
      if (own) target[method] = original;
      else delete (target as Partial<typeof target>)[method];
    });
  }
  return () => undo.forEach((u) => u());
}
