/**
 * Probes the sgn-collector tests measure on, each set up in a describe block's beforeAll on a chosen backend and
 * disposed in its afterAll: a reference model loaded the user's way (loadModel, the CSV, tfjs's categorical
 * cross-entropy), or a small seeded softmax MLP. Also the `gradient_noise` block of a reference.json.
 */
import { afterAll, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createProbeContext, type ProbeContext } from '@kramers/core';
import { loadModel } from '@kramers/core/node';
import { loadCsvFile, toTensors } from '@kramers/datasets';
import { readReference, referencePath, type ReferenceCase, type ReferenceJson } from '../../../../test/support/reference-fixtures.js';

export type Backend = 'wasm' | 'cpu';

/** reference.json → gradient_noise (test/fixtures/shared/reference/README.md, "Gradient-noise covariance"). */
export interface GradientNoise {
  B: number;
  m: number;
  trace_C: number;
  trace_C_finite_population_corrected: number;
  finite_population_factor: number;
  eigenvalue_threshold: number;
  num_eigenvalues_used: number;
  pearson: number;
  slope: number;
  intercept: number;
  slope_through_origin: number;
  pearson_log10: number;
  diag_UtCU: number[];
}

export type NoiseReference = ReferenceJson & { hessian_eigenvalues: number[]; gradient_noise: GradientNoise };

export const readNoiseReference = (name: ReferenceCase): NoiseReference => readReference(name) as NoiseReference;

export interface LoadedProbe {
  readonly model: tf.LayersModel;
  readonly probe: ProbeContext;
}

/** Runs `make` on `backend` before the block's tests; disposes the model and tensors after them. */
function useProbe(backend: Backend | undefined, make: () => Promise<LoadedProbe & { tensors: tf.Tensor[] }>): () => LoadedProbe {
  let loaded: (LoadedProbe & { tensors: tf.Tensor[] }) | undefined;
  beforeAll(async () => {
    if (backend) {
      await tf.setBackend(backend);
      await tf.ready();
    }
    loaded = await make();
  });
  afterAll(() => {
    loaded?.model.dispose();
    tf.dispose(loaded?.tensors ?? []);
  });
  return () => loaded!;
}

/** A reference case's model on its CSV, with tfjs's categorical cross-entropy (on the backend already set if none given). */
export function useReferenceProbe(name: ReferenceCase, backend?: Backend): () => LoadedProbe {
  return useProbe(backend, async () => {
    const model = await loadModel(referencePath(name, 'model.json'));
    const { x, y } = toTensors(loadCsvFile(referencePath(name, 'data.csv')));
    return { model, probe: createProbeContext({ model, x, y, loss: 'categoricalCrossentropy' }), tensors: [x, y] };
  });
}

/** A 4-h-3 softmax MLP on `rows` seeded normal rows with cycling labels, categorical cross-entropy. */
export function useSoftmaxMlp(options: { rows: number; hidden: number; activation: 'tanh' | 'sigmoid'; backend: Backend }): () => LoadedProbe {
  return useProbe(options.backend, async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: options.hidden, inputShape: [4], activation: options.activation, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    const x = tf.randomNormal([options.rows, 4], 0, 1, 'float32', 3);
    const y = tf.oneHot(tf.tensor1d(Array.from({ length: options.rows }, (_, j) => j % 3), 'int32'), 3).toFloat();
    return { model, probe: createProbeContext({ model, x, y, loss: 'categoricalCrossentropy' }), tensors: [x, y] };
  });
}
