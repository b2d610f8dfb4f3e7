import * as tf from '@tensorflow/tfjs';
import { escapeDetector, type Boundary, type ExitDirection } from '@kramers/valley-detector';
import type { EscapeJob, EscapeJobResult } from './escape-job.js';
import type { RunEscapeOptions } from './run-escape-job.js';

/** What the loop needs of an ensemble (landscape or model): step, read rows, drop, dispose. */
export interface SteppedEnsemble {
  step(): void;
  size(): number;
  ids(): Int32Array;
  /** Current rows, in the order of ids(). */
  rows(): Float32Array;
  drop(ids: Iterable<number>): void;
  dispose(): void;
}

export interface EscapeLoopOptions extends RunEscapeOptions {
  /** Iterations between progress reports, event-loop yields and stop checks (a power of two). */
  readonly yieldEvery: number;
  /** How an exit is written in the result, e.g. 'x3+'. */
  readonly describe: (exit: ExitDirection) => string;
  /** When the job started (performance.now()), for elapsedMs. */
  readonly startedAt: number;
}

/**
 * Steps the ensemble until every replica is out or the budget is spent: each iteration every running replica is
 * tested against the boundary, one found outside is recorded at that iteration and dropped; the rest are censored.
 * Disposes the ensemble.
 */
export async function escapeLoop<J extends EscapeJob>(job: J, ensemble: SteppedEnsemble, edge: Boundary, options: EscapeLoopOptions): Promise<EscapeJobResult<J>> {
  // The detector counts replicas 0 … R − 1; the ensemble's ids are offset by firstReplica.
  const first = job.firstReplica ?? 0;
  const detector = escapeDetector(edge, job.replicas);
  const escapes: { replica: number; step: number; exit: string }[] = [];
  const mask = options.yieldEvery - 1;
  let step = 0;
  try {
    while (ensemble.size() > 0 && step < job.maxSteps) {
      ensemble.step();
      step++;
      const ids = ensemble.ids();
      for (let r = 0; r < ids.length; r++) ids[r]! -= first;
      const events = detector.observe(step, ensemble.rows(), ids);
      if (events.length > 0) {
        for (const e of events) escapes.push({ replica: first + e.replica, step: e.step, exit: options.describe(e.exit) });
        ensemble.drop(events.map((e) => first + e.replica));
      }
      if ((step & mask) === 0) {
        options.onProgress?.(step, ensemble.size());
        // Yield so a signal handler (Ctrl-C) or a worker's message can run between stretches of iterations.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (options.shouldStop?.() === true) break;
      }
    }
    options.onProgress?.(step, ensemble.size());
    return {
      job,
      escapes: escapes.sort((a, b) => a.replica - b.replica),
      censored: ensemble.size(),
      stepsRun: step,
      elapsedMs: performance.now() - options.startedAt,
      backend: tf.getBackend(),
    };
  } finally {
    ensemble.dispose();
  }
}
