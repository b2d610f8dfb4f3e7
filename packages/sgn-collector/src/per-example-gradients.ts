/**
 * Per-example gradients g_j = ∇θ ℓ_j(θ) of the probe loss at the current parameters, one row per probe row, as a
 * row-major m × n Float32Array in the probe's flat order (variables in order, kernels [in, out] row-major: the
 * convention of `ProbeContext.variables` and test/fixtures/shared/reference). ℓ_j is row j's data loss plus the
 * regularisation penalty, which is the same for every row, so the rows average to the probe's full gradient ∇L.
 *
 * Two paths compute the same numbers: `dense`, one pass for chains of Dense layers (per-example-dense.ts), and
 * `loop`, one gradient per row for any model (per-example-loop.ts). `auto` takes the dense path whenever the model
 * is such a chain. Rows go through tfjs in chunks, so tfjs holds one chunk's activations at a time.
 */
import { withSecondOrderGradients, type ProbeContext } from '@kramers/core';
import { denseChain } from './dense-chain.js';
import { penaltyGradient } from './data-gradient.js';
import { writeDenseRows } from './per-example-dense.js';
import { writeLoopRows } from './per-example-loop.js';
import { gatherRows, probeRows, releaseRows, rowIndices, rowRange, type ProbeRows } from './probe-rows.js';

export type PerExampleMethod = 'dense' | 'loop';

export interface PerExampleOptions {
  /** 'auto' (default): dense when the model is a chain of Dense layers, else the loop. 'dense' refuses other models. */
  readonly method?: 'auto' | PerExampleMethod;
  /** Probe rows to use (indices into the probe batch, in this order); default every row. */
  readonly rows?: readonly number[];
  /**
   * Rows per pass through tfjs (default 2048): bounds tfjs's activations to one chunk's. Each pass has a fixed cost
   * (on the digits bench, 512-row chunks took 25 % longer than one pass over 1797 rows).
   */
  readonly chunkRows?: number;
  /** Refuse a result larger than this many bytes (default 1 GiB): m·n·4 bytes, held in one Float32Array. */
  readonly maxBytes?: number;
  /**
   * A buffer of m·n floats to write into (returned as `values`), so repeated calls at one size do not allocate
   * tens of MiB each time. Its contents are overwritten.
   */
  readonly into?: Float32Array;
}

/** m per-example gradients of n parameters. */
export interface PerExampleGradients {
  /** m: rows, one gradient each. */
  readonly rows: number;
  /** n: parameters per gradient. */
  readonly size: number;
  /** Row-major m × n: g_j occupies [j·n, (j + 1)·n). */
  readonly values: Float32Array;
  readonly method: PerExampleMethod;
  /** Why `auto` took the loop (what in the model the dense path does not handle); absent otherwise. */
  readonly loopReason?: string;
}

export const PER_EXAMPLE_DEFAULTS = { chunkRows: 2048, maxBytes: 2 ** 30 } as const;

/** Per-example gradients of the probe loss at the current parameters. Disposes every tensor it makes. */
export function perExampleGradients(probe: ProbeContext, options: PerExampleOptions = {}): PerExampleGradients {
  const where = 'perExampleGradients';
  const p = probeRows(probe, where);
  const indices = rowIndices(options.rows, p.rows, where);
  const chunkRows = options.chunkRows ?? PER_EXAMPLE_DEFAULTS.chunkRows;
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new RangeError(`${where}: chunkRows must be a positive integer, got ${chunkRows}`);
  const bytes = indices.length * p.size * 4;
  const maxBytes = options.maxBytes ?? PER_EXAMPLE_DEFAULTS.maxBytes;
  if (bytes > maxBytes) {
    throw new RangeError(
      `${where}: ${indices.length} rows × ${p.size} parameters need ${(bytes / 2 ** 20).toFixed(0)} MiB (limit ` +
        `${(maxBytes / 2 ** 20).toFixed(0)} MiB); use fewer rows, raise maxBytes, or estimate by sampled minibatches`,
    );
  }
  const method = options.method ?? 'auto';
  const chain = method === 'loop' ? undefined : denseChain(p.data.model, p.variables);
  if (method === 'dense' && chain && !chain.ok) throw new Error(`${where}: method 'dense' cannot run this model: ${chain.reason}`);

  const values = output(options.into, indices.length * p.size, where);
  const all = options.rows === undefined;
  const pass = (): void => {
    for (let first = 0; first < indices.length; first += chunkRows) {
      const count = Math.min(chunkRows, indices.length - first);
      const chunk = indices.subarray(first, first + count);
      const xs = all ? rowRange(p.xs, first, count) : gatherRows(p.xs, chunk);
      const ys = all ? rowRange(p.ys, first, count) : gatherRows(p.ys, chunk);
      try {
        if (chain?.ok) writeDenseRows(p, chain.steps, xs[0]!, ys, values, first);
        else writeLoopRows(p, xs, ys, values, first);
      } finally {
        releaseRows([...xs, ...ys], [...p.xs, ...p.ys]);
      }
    }
  };
  // The registry's gradients are first-order identical to stock ones up to float32 rounding (matMul), and on wasm
  // its transpose-free matMul makes the backward pass about twice as fast (measured in bench/sgn).
  if (chain?.ok) withSecondOrderGradients(pass);
  else pass();
  addToEveryRow(values, penaltyGradient(p), p);
  return {
    rows: indices.length,
    size: p.size,
    values,
    method: chain?.ok ? 'dense' : 'loop',
    ...(chain && !chain.ok ? { loopReason: chain.reason } : {}),
  };
}

function output(into: Float32Array | undefined, length: number, where: string): Float32Array {
  if (!into) return new Float32Array(length);
  if (into.length !== length) throw new RangeError(`${where}: into has ${into.length} floats, expected rows·n = ${length}`);
  return into.fill(0);
}

function addToEveryRow(values: Float32Array, row: Float32Array | undefined, p: ProbeRows): void {
  if (!row) return;
  for (let at = 0; at < values.length; at += p.size) {
    for (let i = 0; i < p.size; i++) values[at + i]! += row[i]!;
  }
}
