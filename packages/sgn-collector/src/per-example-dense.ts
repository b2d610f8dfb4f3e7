/**
 * Per-example gradients of a Dense chain in one forward and one backward pass (BackPACK's first-order extension,
 * Dangel, Kunstner & Hennig, ICLR 2020, §2 "batch gradients"). For a Dense layer z = a·W + b, the gradient of row j's
 * loss is ∂ℓ_j/∂W = a_jᵀ δ_j and ∂ℓ_j/∂b = δ_j with δ_j = ∂ℓ_j/∂z_j. A zero probe ε added to every pre-activation
 * gives all δ at once: the rows' losses are independent, so ∂(Σ_j ℓ_j)/∂ε_j = δ_j, and Σ_j ℓ_j = rows · dataLoss.
 * The outer products are written straight into the row-major result: in float64 the product of two float32 numbers
 * is exact, so storing it rounds exactly as a float32 multiply would.
 */
import * as tf from '@tensorflow/tfjs';
import type { ChainStep, DenseStep } from './dense-chain.js';
import type { ProbeRows } from './probe-rows.js';

/** A Dense layer's input rows a (rows × inputs) and output-gradient rows δ (rows × units), read back. */
interface LayerRows {
  readonly step: DenseStep;
  readonly a: Float32Array;
  readonly delta: Float32Array;
}

/**
 * Writes the data-loss gradient of each of the rows of `x` (with targets `ys`) into `out`, row r at
 * (first + r)·n. Only the probe variables' blocks are written, and kernel entries only where a ≠ 0: `out` must
 * hold zeros there.
 */
export function writeDenseRows(
  probe: ProbeRows,
  chain: readonly ChainStep[],
  x: tf.Tensor,
  ys: readonly tf.Tensor[],
  out: Float32Array,
  first: number,
): void {
  for (const layer of layerRows(probe, chain, x, ys)) {
    writeLayer(layer, x.shape[0]!, probe, out, first);
  }
}

function layerRows(probe: ProbeRows, chain: readonly ChainStep[], x: tf.Tensor, ys: readonly tf.Tensor[]): LayerRows[] {
  const rows = x.shape[0]!;
  const dense = chain.filter((s): s is DenseStep => s.kind === 'dense');
  // Layer inputs are recorded inside tf.grads' forward pass, which disposes its intermediates: kept, then freed here.
  const inputs: tf.Tensor[] = [];
  try {
    const deltas = tf.tidy(() => {
      const forward = (...eps: tf.Tensor[]): tf.Scalar => {
        let h = x;
        let d = 0;
        for (const step of chain) {
          if (step.kind === 'pass') {
            h = step.layer.apply(h, { training: false }) as tf.Tensor;
            continue;
          }
          inputs.push(tf.keep(tf.clone(h)));
          let z = tf.matMul(h, step.kernel.value);
          if (step.bias) z = tf.add(z, step.bias.value);
          h = step.activation(tf.add(z, eps[d++]!));
        }
        return tf.mul(probe.data.dataLoss(ys, [h]), rows) as tf.Scalar;
      };
      return tf.grads(forward)(dense.map((s) => tf.zeros([rows, s.units])));
    });
    const read = dense.map((step, l) => ({ step, a: inputs[l]!.dataSync() as Float32Array, delta: deltas[l]!.dataSync() as Float32Array }));
    tf.dispose(deltas);
    return read;
  } finally {
    tf.dispose(inputs);
  }
}

function writeLayer({ step, a, delta }: LayerRows, rows: number, probe: ProbeRows, out: Float32Array, first: number): void {
  const { inputs, units } = step;
  const n = probe.size;
  const kernel = step.kernel.index;
  const bias = step.bias?.index;
  for (let j = 0; j < rows; j++) {
    const base = (first + j) * n;
    const dj = delta.subarray(j * units, (j + 1) * units);
    if (kernel !== undefined) {
      let at = base + probe.offsets[kernel]!;
      for (let i = 0; i < inputs; i++, at += units) {
        const ai = a[j * inputs + i]!;
        if (ai === 0) continue; // the row is zero already: ReLU outputs and constant input columns are often 0
        for (let k = 0; k < units; k++) out[at + k] = ai * dj[k]!;
      }
    }
    if (bias !== undefined) out.set(dj, base + probe.offsets[bias]!);
  }
}
