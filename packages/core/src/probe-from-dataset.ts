/**
 * A probe batch taken from the rows a `tf.data.Dataset` feeds to training, without reading the dataset a second
 * time. Iterating a dataset is not free of side effects: a shuffled dataset draws a new seed from its own random
 * stream on every `iterator()` call, so a probe that read the data itself would change the order training sees.
 * Instead the returned dataset passes every element through unchanged and copies the first `rows` rows as they go
 * by; the probe is ready once they have (within the first epoch; with fewer rows in the whole dataset, when the second
 * epoch starts), and probe plugins start then.
 */
import * as tf from '@tensorflow/tfjs';
import type { ProbeBatch, ProbeBatchSource } from './probe.js';

type Element = { xs: tf.Tensor | tf.Tensor[]; ys: tf.Tensor | tf.Tensor[] } | [tf.Tensor | tf.Tensor[], tf.Tensor | tf.Tensor[]];

export interface DatasetProbe extends ProbeBatchSource {
  /** Rows collected so far. */
  readonly collected: number;
  /** Releases the collected tensors (after the session is closed). */
  dispose(): void;
}

const list = (t: tf.Tensor | tf.Tensor[]): tf.Tensor[] => (Array.isArray(t) ? t : [t]);

/**
 * `const { dataset: train, probe } = probeFromDataset(ds, { rows: 512 });` then `model.fitDataset(train, …)` and
 * `instrument(optimizer, { model, probe: { model, batch: probe } })`. Elements must be `{ xs, ys }` or `[xs, ys]`
 * batches, as fitDataset takes them.
 */
export function probeFromDataset<T extends tf.TensorContainer>(
  dataset: tf.data.Dataset<T>,
  options: { readonly rows: number },
): { dataset: tf.data.Dataset<T>; probe: DatasetProbe } {
  const { rows } = options;
  if (!Number.isInteger(rows) || rows < 1) {
    throw new RangeError(`probeFromDataset: options.rows must be a positive integer, got ${String(rows)}`);
  }
  const parts: { xs: tf.Tensor[]; ys: tf.Tensor[] }[] = [];
  let collected = 0;
  let batch: ProbeBatch | undefined;
  let disposed = false;

  const take = (element: T): T => {
    if (batch || disposed) return element;
    const e = element as unknown as Element;
    const [xs, ys] = Array.isArray(e) ? e : [e.xs, e.ys];
    if (xs === undefined || ys === undefined) {
      throw new TypeError('probeFromDataset: dataset elements must be {xs, ys} or [xs, ys] batches, as fitDataset takes them');
    }
    const xl = list(xs);
    const n = Math.min(xl[0]!.shape[0]!, rows - collected);
    const head = (t: tf.Tensor) => tf.keep(tf.slice(t, 0, n));
    parts.push({ xs: xl.map(head), ys: list(ys).map(head) });
    collected += n;
    if (collected === rows) finish();
    return element;
  };

  const finish = (): void => {
    if (batch || parts.length === 0) return;
    const joined = (pick: (p: (typeof parts)[number]) => tf.Tensor[]) =>
      pick(parts[0]!).map((_, i) => tf.keep(tf.concat(parts.map((p) => pick(p)[i]!))));
    const x = joined((p) => p.xs);
    const y = joined((p) => p.ys);
    tf.dispose(parts.flatMap((p) => [...p.xs, ...p.ys]));
    parts.length = 0;
    batch = { x: x.length === 1 ? x[0]! : x, y: y.length === 1 ? y[0]! : y };
  };

  const tapped = dataset.map(take);
  let iterations = 0;
  // fitDataset asks for a new iterator each epoch: a second one means the whole dataset has gone by once.
  const passThrough = Object.create(tapped, {
    iterator: {
      value: () => {
        if (++iterations > 1) finish();
        return tapped.iterator();
      },
    },
  }) as tf.data.Dataset<T>;

  return {
    dataset: passThrough,
    probe: {
      current: () => batch,
      get collected() {
        return collected;
      },
      dispose() {
        disposed = true;
        tf.dispose(parts.flatMap((p) => [...p.xs, ...p.ys]));
        parts.length = 0;
        if (batch) tf.dispose([...list(batch.x as tf.Tensor | tf.Tensor[]), ...list(batch.y as tf.Tensor | tf.Tensor[])]);
        batch = undefined;
      },
    },
  };
}
