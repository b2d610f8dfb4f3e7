/**
 * The float64 reference models in test/fixtures/shared/reference (see the README there): their reference.json, the
 * stored tfjs model loaded by tfjs alone (no kramers code on the path), and their data as a float64 batch.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { batchFromCsv, type Batch } from './float64-mlp.js';

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

/** model.json + weights.bin through tfjs's in-memory IOHandler. */
export async function loadReferenceModel(name: ReferenceCase): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(referencePath(name, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }>;
  };
  const bin = readFileSync(referencePath(name, 'weights.bin'));
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    }),
  );
}

export function referenceBatch(name: ReferenceCase): Batch {
  return batchFromCsv(readFileSync(referencePath(name, 'data.csv'), 'utf8'));
}
