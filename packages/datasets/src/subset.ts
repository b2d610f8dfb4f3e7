import type { Dataset } from './dataset.js';

/** The rows at `indices`, in that order (repeats allowed). Arrays are copied, so the subset owns its data. */
export function subset<D extends Dataset>(ds: D, indices: ArrayLike<number>, name: string = ds.name): D {
  const n = indices.length;
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= ds.rows) {
      throw new RangeError(`subset(${ds.name}): indices[${k}] = ${i} is not a row index in 0..${ds.rows - 1}`);
    }
  }
  const features = pickRows(ds.features, ds.cols, indices);
  const exact = ds.exactFeatures ? pickRows(ds.exactFeatures, ds.cols, indices) : undefined;
  const common = { name, features, ...(exact ? { exactFeatures: exact } : {}), rows: n };
  if (ds.task === 'classification') {
    return { ...ds, ...common, labels: pickRows(ds.labels, 1, indices) };
  }
  return { ...ds, ...common, targets: pickRows(ds.targets, ds.targetCount, indices) };
}

function pickRows<A extends Float32Array | Float64Array | Int32Array>(from: A, width: number, indices: ArrayLike<number>): A {
  const out = new (from.constructor as new (n: number) => A)(indices.length * width);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    out.set(from.subarray(i * width, (i + 1) * width), k * width);
  }
  return out;
}
