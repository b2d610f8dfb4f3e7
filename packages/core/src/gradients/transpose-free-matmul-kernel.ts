/**
 * On wasm, a BatchMatMul with a transpose flag runs 2–9× slower than an explicit Transpose followed by a plain
 * BatchMatMul (docs/tfjs-second-order.md §5.3; e.g. 128×784ᵀ·128×128: 8.8 ms vs 1.0 ms, and 128×10·(128×10)ᵀ: 0.24 vs
 * 0.10 ms, measured here). The gradient registry already avoids flags, but `fused.matMul`'s own backward (Dense layers
 * with a linear or softmax activation) calls flagged matMuls directly, outside the registry. Wrapping the wasm kernel
 * itself reaches those too: flagged calls become Transpose + plain BatchMatMul inside the kernel, so every caller gets
 * the fast path and the results are the same products.
 */
import * as tf from '@tensorflow/tfjs';

type KernelConfig = ReturnType<typeof tf.getKernel>;
type TensorInfo = { dataId: object; shape: number[]; dtype: string };
interface BatchMatMulArgs {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: { disposeData(dataId: object): void };
  attrs: { transposeA?: boolean; transposeB?: boolean } & Record<string, unknown>;
}

const BACKEND = 'wasm';
const KERNEL = 'BatchMatMul';

function swapLastTwo(rank: number): number[] {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return perm;
}

/** Wraps the registered wasm BatchMatMul kernel; returns the undo, or undefined when there is no wasm kernel. */
export function installTransposeFreeMatMul(): (() => void) | undefined {
  const original = tf.getKernel(KERNEL, BACKEND) as KernelConfig | undefined;
  const transpose = tf.getKernel('Transpose', BACKEND) as KernelConfig | undefined;
  if (!original || !transpose) return undefined;
  const run = original.kernelFunc as unknown as (args: BatchMatMulArgs) => TensorInfo;
  const runTranspose = transpose.kernelFunc as unknown as (args: {
    inputs: { x: TensorInfo };
    backend: BatchMatMulArgs['backend'];
    attrs: { perm: number[] };
  }) => TensorInfo;
  const wrapped = (args: BatchMatMulArgs): TensorInfo => {
    const { transposeA = false, transposeB = false } = args.attrs;
    if (!transposeA && !transposeB) return run(args);
    const { backend } = args;
    const explicit = (x: TensorInfo): TensorInfo =>
      runTranspose({ inputs: { x }, backend, attrs: { perm: swapLastTwo(x.shape.length) } });
    const a = transposeA ? explicit(args.inputs.a) : args.inputs.a;
    const b = transposeB ? explicit(args.inputs.b) : args.inputs.b;
    try {
      return run({ ...args, inputs: { a, b }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    } finally {
      if (transposeA) backend.disposeData(a.dataId);
      if (transposeB) backend.disposeData(b.dataId);
    }
  };
  // Unregister first: re-registering over an existing kernel logs a warning.
  tf.unregisterKernel(KERNEL, BACKEND);
  tf.registerKernel({ ...original, kernelFunc: wrapped as unknown as KernelConfig['kernelFunc'] });
  return () => {
    if ((tf.getKernel(KERNEL, BACKEND) as KernelConfig | undefined)?.kernelFunc !== (wrapped as unknown)) return;
    tf.unregisterKernel(KERNEL, BACKEND);
    tf.registerKernel(original);
  };
}
