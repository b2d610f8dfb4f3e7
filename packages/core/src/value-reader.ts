/**
 * Copies tensor values into reusable Float32Arrays. Instrumentation reads every gradient and parameter on every
 * step; `dataSync()` allocates a fresh buffer per read, and on small models that garbage costs more than the
 * reads themselves. On wasm the values are copied straight out of the module's heap into a buffer kept from the
 * last step (the heap layout is tfjs-backend-wasm's `dataIdMap` — read defensively, with `dataSync` as the
 * fallback whenever it does not look as expected). Arrays handed out are valid during the step only.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmLike {
  dataIdMap: { get(dataId: object): { memoryOffset?: number; dtype?: string } | undefined };
  wasm: { HEAPU8: Uint8Array };
}

function heapView(t: tf.Tensor): Float32Array | undefined {
  if (t.dtype !== 'float32') return undefined;
  const backend = tf.engine().backend as unknown as Partial<WasmLike>;
  const entry = backend.dataIdMap?.get?.(t.dataId as object);
  const heap = backend.wasm?.HEAPU8;
  if (!entry || !heap || typeof entry.memoryOffset !== 'number' || entry.dtype !== 'float32') return undefined;
  if (entry.memoryOffset % 4 !== 0 || entry.memoryOffset + 4 * t.size > heap.byteLength) return undefined;
  return new Float32Array(heap.buffer, heap.byteOffset + entry.memoryOffset, t.size);
}

/** Reads `t` into `reuse` when it has the right length (else a new array); returns the array holding the values. */
export function readInto(t: tf.Tensor, reuse: Float32Array | undefined): Float32Array {
  const target = reuse && reuse.length === t.size ? reuse : new Float32Array(t.size);
  const view = tf.getBackend() === 'wasm' ? heapView(t) : undefined;
  target.set(view ?? (t.dataSync() as Float32Array));
  return target;
}
