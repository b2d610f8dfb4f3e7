import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@kramers/core';
import type { Landscape } from '@kramers/datasets';
import { checkGradientNoise, frozenNoiseFactor, type GradientNoise, type NoiseFactor } from './gradient-noise.js';
import { checkReplicaOptimizer, type ReplicaOptimizer } from './replica-optimizer.js';
import { createRowState, keptRows } from './row-state.js';
import { checkReplicaIds, replicaStreams } from './replica-streams.js';

export interface EnsembleOptions {
  readonly landscape: Landscape;
  readonly optimizer: ReplicaOptimizer;
  readonly noise: GradientNoise;
  /** R, the number of replicas. */
  readonly replicas: number;
  /** Integer seed; replica r's stream depends only on (seed, firstReplica + r). */
  readonly seed: number;
  /** Where every replica starts (usually a minimum). */
  readonly start: ArrayLike<number>;
  /** Id of the first replica (default 0): a sweep split over workers gives each part its own range of ids. */
  readonly firstReplica?: number;
}

/**
 * R independent runs advanced together as one tensor program on state [R, n]. Every op is row-wise (elementwise
 * on the landscape, per-row noise), so a row evolves exactly as that replica would alone.
 */
export interface ReplicaEnsemble {
  readonly dim: number;
  /** Ids of the replicas still running, in row order. */
  ids(): Int32Array;
  /** Number of replicas still running. */
  size(): number;
  /** Iterations taken so far. */
  steps(): number;
  /** One iteration of every running replica. */
  step(): void;
  /** Current positions, rows in the order of ids() (a copy; float32). */
  positions(): Float32Array;
  /** Stops the given replicas (e.g. those that escaped); the others continue unchanged. */
  drop(ids: Iterable<number>): void;
  dispose(): void;
}

export function createEnsemble(options: EnsembleOptions): ReplicaEnsemble {
  const where = 'createEnsemble';
  const { landscape, optimizer, noise, replicas, seed, start } = options;
  const firstReplica = options.firstReplica ?? 0;
  const n = landscape.dim;
  checkReplicaIds(where, replicas, firstReplica);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`${where}: seed = ${String(seed)}; use an integer, e.g. 0`);
  if (start?.length !== n) throw new RangeError(`${where}: start has ${String(start?.length)} coordinates; the landscape has ${n}`);
  checkReplicaOptimizer(where, optimizer);
  checkGradientNoise(where, noise, n, landscape.hessianDiagonalTensor != null);

  const factor: NoiseFactor | null = noise.kind === 'frozen' ? frozenNoiseFactor(landscape.hessian(noise.at), n, noise.batchSize) : null;
  const whiteStd = optimizer.name === 'sgld' ? Math.sqrt(2 * optimizer.learningRate * optimizer.diffusion) : 0;

  let ids = Int32Array.from({ length: replicas }, (_, r) => firstReplica + r);
  let rngs: Rng[] = replicaStreams(seed, ids);
  let iterations = 0;
  const startRow = Float32Array.from(start);
  const state = createRowState(optimizer, startRow, replicas);
  let disposed = false;

  const draw = (size: number, std: number, transform: NoiseFactor | null): Float32Array => {
    const out = new Float32Array(size * n);
    const z = new Float64Array(n);
    for (let r = 0; r < size; r++) {
      const rng = rngs[r]!;
      for (let j = 0; j < n; j++) z[j] = rng.normal();
      const row = r * n;
      if (transform == null) {
        for (let j = 0; j < n; j++) out[row + j] = std * z[j]!;
      } else if ('diagonal' in transform) {
        for (let j = 0; j < n; j++) out[row + j] = transform.diagonal[j]! * z[j]!;
      } else {
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j <= i; j++) s += transform.lower[i * n + j]! * z[j]!;
          out[row + i] = s;
        }
      }
    }
    return out;
  };

  const live = (): void => {
    if (disposed) throw new Error('ReplicaEnsemble: used after dispose()');
  };

  return {
    dim: n,
    ids: () => ids.slice(),
    size: () => ids.length,
    steps: () => iterations,
    step() {
      live();
      const size = ids.length;
      if (size === 0) return;
      state.step(
        (theta) => {
          const g = landscape.gradientTensor(theta);
          if (factor != null) return tf.add(g, tf.tensor2d(draw(size, 1, factor), [size, n]));
          if (noise.kind !== 'state') return g;
          // ξ = [H(θ)]₊^{1/2} z / √B, elementwise for a diagonal Hessian (Xie et al. 2021, §2: C ≈ [H]₊/B).
          const std = tf.sqrt(tf.div(tf.abs(landscape.hessianDiagonalTensor!(theta)), noise.batchSize));
          return tf.add(g, tf.mul(std, tf.tensor2d(draw(size, 1, null), [size, n])));
        },
        () => tf.tensor2d(draw(size, whiteStd, null), [size, n]),
      );
      iterations++;
    },
    positions() {
      live();
      return state.theta().dataSync().slice() as Float32Array;
    },
    drop(dropIds) {
      live();
      const keep = keptRows(ids, dropIds);
      if (keep.length === ids.length) return;
      state.keep(keep);
      ids = Int32Array.from(keep, (r) => ids[r]!);
      rngs = keep.map((r) => rngs[r]!);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      state.dispose();
    },
  };
}
