/**
 * Backend choice: wasm by default (4–5× faster than cpu for MLPs here, docs/tfjs-second-order.md §5.2), cpu as the
 * fallback and on request. WebGL is never chosen: it may run float16 textures, and curvature probes need float32
 * (docs/tfjs-second-order.md §5.4).
 */
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'wasm', 'cpu'];

/** Selects and initialises a backend; 'auto' tries wasm and falls back to cpu. Returns the one in use. */
export async function useBackend(choice: BackendChoice = 'auto'): Promise<BackendName> {
  if (!BACKEND_CHOICES.includes(choice)) {
    throw new RangeError(`backend: got ${JSON.stringify(choice)}; allowed values: ${BACKEND_CHOICES.join(', ')}`);
  }
  if (choice !== 'cpu') {
    try {
      // Importing registers 'wasm' at priority 2; it must be initialised before any op runs.
      await import('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return 'wasm';
      }
      throw new Error('tf.setBackend("wasm") returned false');
    } catch (err) {
      if (choice === 'wasm') {
        throw new Error(`backend: wasm could not be initialised (${(err as Error).message}); use --backend cpu`);
      }
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  // tfjs-backend-cpu advertises tfjs-node on first use in Node; kramers cannot use tfjs-node (its install downloads a
  // binary), so the advice is noise on the user's terminal.
  const cpu = tf.backend() as unknown as { firstUse?: boolean };
  if (cpu.firstUse === true) cpu.firstUse = false;
  return 'cpu';
}
