/**
 * What a kramers metric becomes in TensorBoard: a number is a scalar (float32 `simple_value`), a histogram is a
 * `HistogramProto` with the producer's bins, a vector is (optionally) a histogram of its elements, a table is
 * skipped (TensorBoard's scalar and histogram views cannot show one).
 */
import { metricKey, type Histogram, type MetricEvent } from '@kramers/core';
import type { TfHistogram, TfSummaryValue } from './tensorboard-proto.js';

/** How vectors are written: binned into a histogram of their finite elements (labels are lost), or skipped. */
export type TensorboardVectors = 'histogram' | 'skip';

/** tf.summary.histogram's default bucket count (TensorFlow 2 summary API). */
export const DEFAULT_VECTOR_BUCKETS = 30;

export interface SummaryValueOptions {
  readonly vectors: TensorboardVectors;
  readonly vectorBuckets: number;
}

/** The summary value for `event` under tag `plugin/name[@layer]`, or undefined when it has no TensorBoard form. */
export function tensorboardValue(event: MetricEvent, options: SummaryValueOptions): TfSummaryValue | undefined {
  const tag = metricKey(event);
  const v = event.value;
  if (typeof v === 'number') return { kind: 'scalar', tag, value: v };
  let histogram: TfHistogram | undefined;
  if (v.kind === 'histogram') histogram = tfHistogram(v);
  else if (v.kind === 'vector' && options.vectors === 'histogram') histogram = vectorTfHistogram(v.values, options.vectorBuckets);
  return histogram === undefined ? undefined : { kind: 'histogram', tag, histogram };
}

/**
 * A kramers histogram as TensorBoard's: `min` = first edge, `max` = last edge, `bucketLimit` = the upper edges,
 * since TensorBoard draws bucket i from bucketLimit[i-1] (min for i = 0) to bucketLimit[i] (max for the last).
 * Without `sum` / `sumSquares` they are estimated from bin midpoints (derived: each value at its bin centre).
 * Undefined when the shape is unusable (no bins, edges not counts + 1, non-finite or decreasing edges, negative
 * or non-finite counts), so one bad plugin value cannot stop the file.
 */
export function tfHistogram(h: Histogram): TfHistogram | undefined {
  const { edges, counts } = h;
  if (counts.length === 0 || edges.length !== counts.length + 1) return undefined;
  if (!edges.every((e, i) => Number.isFinite(e) && (i === 0 || e >= edges[i - 1]!))) return undefined;
  if (!counts.every((c) => Number.isFinite(c) && c >= 0)) return undefined;
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  counts.forEach((c, i) => {
    // Midpoint rule (derived): the best single-point guess for values known only to lie in [edges[i], edges[i+1]).
    const mid = (edges[i]! + edges[i + 1]!) / 2;
    num += c;
    sum += c * mid;
    sumSquares += c * mid * mid;
  });
  return {
    min: edges[0]!,
    max: edges[edges.length - 1]!,
    num,
    sum: h.sum ?? sum,
    sumSquares: h.sumSquares ?? sumSquares,
    bucketLimit: edges.slice(1),
    bucket: [...counts],
  };
}

/**
 * The finite elements of a vector in `buckets` equal-width bins over [min, max], each bin [a, b) except the last,
 * which also holds max; all-equal elements make one bin [v − 0.5, v + 0.5] (as tf.summary.histogram does).
 * Sums are exact. Undefined when no element is finite.
 */
export function vectorTfHistogram(values: readonly number[], buckets: number = DEFAULT_VECTOR_BUCKETS): TfHistogram | undefined {
  if (!(Number.isInteger(buckets) && buckets >= 1)) {
    throw new RangeError(`tensorboardWriter: vectorBuckets must be a whole number ≥ 1, got ${String(buckets)}`);
  }
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return undefined;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const sum = finite.reduce((s, v) => s + v, 0);
  const sumSquares = finite.reduce((s, v) => s + v * v, 0);
  if (lo === hi) {
    return { min: lo - 0.5, max: hi + 0.5, num: finite.length, sum, sumSquares, bucketLimit: [hi + 0.5], bucket: [finite.length] };
  }
  const width = (hi - lo) / buckets;
  const bucket = new Array<number>(buckets).fill(0);
  for (const v of finite) bucket[Math.min(Math.floor((v - lo) / width), buckets - 1)]! += 1;
  // The last limit is hi itself, not lo + buckets·width, which rounding could leave just below hi.
  const bucketLimit = bucket.map((_, i) => (i === buckets - 1 ? hi : lo + (i + 1) * width));
  return { min: lo, max: hi, num: finite.length, sum, sumSquares, bucketLimit, bucket };
}
