/**
 * Letting the event loop breathe during training. On the wasm and cpu backends every kernel runs synchronously, so
 * a loop of `await model.trainOnBatch(…)` or `optimizer.minimize(…)` resolves through microtasks only and timers,
 * I/O and HTTP requests never run while it trains (progress bars freeze, log flushes and signals wait). A yield is a
 * macrotask turn (`setImmediate` in Node, a MessageChannel message in browsers); taken only once `intervalMs` have
 * passed since the last one, it costs a few microseconds per step on average.
 */

/** Resolves on the next macrotask turn: timers, I/O callbacks and signal handlers run first. */
export function nextMacrotask(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate!(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(undefined);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

const resolved: Promise<void> = Promise.resolve();

/**
 * A function to `await` once per training step: it yields to the event loop when `intervalMs` (default 25 ms) have
 * passed since its last yield and otherwise returns an already-resolved promise.
 */
export function eventLoopYielder(intervalMs = 25): () => Promise<void> {
  if (!(Number.isFinite(intervalMs) && intervalMs >= 0)) {
    throw new RangeError(`eventLoopYielder(intervalMs): must be a finite number ≥ 0, got ${String(intervalMs)}`);
  }
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last < intervalMs) return resolved;
    return nextMacrotask().then(() => {
      last = performance.now();
    });
  };
}
