/**
 * The float64 reference models in test/fixtures/shared/reference (see the README there): their reference.json, the
 * stored tfjs model loaded by tfjs alone (no kramers code on the path), and their data as a float64 batch.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batchFromCsv, Float64Mlp, mlpFromLayersModel, type Batch } from './float64-mlp.js';

export const REFERENCE_CASES = ['banknote-mlp', 'wine-mlp'] as const;
export type ReferenceCase = (typeof REFERENCE_CASES)[number];

export const REFERENCE_DIR = fileURLToPath(new URL('../fixtures/shared/reference/', import.meta.url));

export interface ReferenceJson {
  n: number;
  loss: number;
  grad_norm: number;
  gradient: number[];
  hessian_eigenvalues: number[];
  hessian_trace: number;
  top5_eigenvalues: number[];
  top_eigenvector: number[];
  hvp: { v: number[]; Hv: number[] };
  model: { param_layout: Array<{ name: string; shape: number[]; offset: number; size: number }> };
}

export const referencePath = (name: ReferenceCase, file: string): string => `${REFERENCE_DIR}${name}/${file}`;

export function readReference(name: ReferenceCase): ReferenceJson {
  return JSON.parse(readFileSync(referencePath(name, 'reference.json'), 'utf8')) as ReferenceJson;
}

/** A saved layers model (model.json and the weight files its manifest names, beside it) through tfjs's in-memory IOHandler. */
export async function loadLayersModelFile(modelJson: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(modelJson, 'utf8')) as {
    modelTopology: object;
    weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  };
  const dir = dirname(modelJson);
  const bins = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
  const bytes = Buffer.concat(bins);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    }),
  );
}

export const loadReferenceModel = (name: ReferenceCase): Promise<tf.LayersModel> =>
  loadLayersModelFile(referencePath(name, 'model.json'));

export function referenceBatch(name: ReferenceCase): Batch {
  return batchFromCsv(readFileSync(referencePath(name, 'data.csv'), 'utf8'));
}

/** The float64 reference network of a case at its stored weights. */
export async function referenceMlp(name: ReferenceCase): Promise<{ mlp: Float64Mlp; theta: Float64Array }> {
  const model = await loadReferenceModel(name);
  try {
    const { spec, theta } = mlpFromLayersModel(model, 'categoricalCrossentropy');
    return { mlp: new Float64Mlp(spec, referenceBatch(name)), theta };
  } finally {
    model.dispose();
  }
}

const hessians = new Map<ReferenceCase, Promise<Float64Array>>();

/** The full float64 Hessian of a case (n × n row-major), computed once per process (banknote, n = 386: ≈ 3 s). */
export function referenceHessian(name: ReferenceCase): Promise<Float64Array> {
  let h = hessians.get(name);
  if (!h) {
    h = referenceMlp(name).then(({ mlp, theta }) => mlp.hessian(theta));
    hessians.set(name, h);
  }
  return h;
}
