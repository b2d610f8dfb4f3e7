/**
 * Observes the size of each minibatch a LayersModel trains on by wrapping its train function, which fit,
 * fitDataset and trainOnBatch all build through `makeTrainFunction` (a normal method at run time; protected in
 * the typings). A Sequential trains through an inner LayersModel created at compile time, so that one is wrapped.
 */
import * as tf from '@tensorflow/tfjs';

type TrainFunction = (data: tf.Tensor[]) => tf.Scalar[];
interface Trainable {
  makeTrainFunction: () => TrainFunction;
  model?: Trainable;
}

export function observeBatchSize(model: tf.LayersModel, onBatch: (rows: number) => void): () => void {
  const undo: Array<() => void> = [];
  const wrap = (target: Trainable): void => {
    const original = target.makeTrainFunction;
    target.makeTrainFunction = function (this: Trainable) {
      const train = original.call(this);
      return (data: tf.Tensor[]) => {
        const rows = data[0]?.shape[0];
        if (typeof rows === 'number') onBatch(rows);
        return train(data);
      };
    };
    undo.push(() => {
      target.makeTrainFunction = original;
    });
  };
  const m = model as unknown as Trainable & { build?: (...args: unknown[]) => void };
  if (!(model instanceof tf.Sequential)) {
    wrap(m);
  } else if (m.model) {
    wrap(m.model);
  } else {
    // A Sequential creates its inner model lazily in build() (on compile, predict or apply).
    const build = m.build!;
    m.build = function (this: Trainable, ...args: unknown[]) {
      const before = this.model;
      build.apply(this, args);
      if (this.model && this.model !== before) wrap(this.model);
    };
    undo.push(() => {
      m.build = build;
    });
  }
  return () => undo.reverse().forEach((u) => u());
}
