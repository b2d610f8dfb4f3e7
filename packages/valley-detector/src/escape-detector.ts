import type { Boundary } from './boundary.js';
import type { ExitDirection } from './exit-direction.js';

/** One replica's first exit: the step at which it was first seen outside, and which way it went. */
export interface EscapeEvent {
  readonly replica: number;
  readonly step: number;
  readonly exit: ExitDirection;
}

export interface EscapeDetector {
  /**
   * Checks the rows of the replicas still running: row r of `positions` belongs to replica ids[r]. Returns the
   * replicas first seen outside at this step (each replica is reported once, ever); the same empty array when none.
   */
  observe(step: number, positions: Float32Array | Float64Array, ids: ArrayLike<number>): readonly EscapeEvent[];
  firstExit(replica: number): EscapeEvent | undefined;
  /** Every escape so far, in the order observed. */
  escapes(): readonly EscapeEvent[];
  /** Replicas not yet escaped. */
  remaining(): number;
}

const NONE: readonly EscapeEvent[] = Object.freeze([]);

/** Streams first exits of `replicas` replicas (ids 0 … replicas − 1) through one boundary. */
export function escapeDetector(boundary: Boundary, replicas: number): EscapeDetector {
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new Error(`escapeDetector: replicas = ${String(replicas)}; pass the ensemble size, an integer ≥ 1`);
  }
  const { dim } = boundary;
  const first: Array<EscapeEvent | undefined> = new Array(replicas).fill(undefined);
  const all: EscapeEvent[] = [];
  return {
    observe(step, positions, ids) {
      const rows = ids.length;
      if (positions.length !== rows * dim) {
        throw new Error(`observe: positions has ${positions.length} numbers for ${rows} ids; pass ids.length × ${dim} (one row of ${dim} per id)`);
      }
      let found: EscapeEvent[] | undefined;
      for (let r = 0; r < rows; r++) {
        const id = ids[r]!;
        if (!(id >= 0 && id < replicas) || !Number.isInteger(id)) {
          throw new Error(`observe: ids[${r}] = ${id}; replica ids are integers 0 … ${replicas - 1}`);
        }
        if (first[id] !== undefined) continue;
        const exit = boundary.exitOf(positions, r, dim);
        if (exit === null) continue;
        const event: EscapeEvent = { replica: id, step, exit };
        first[id] = event;
        all.push(event);
        (found ??= []).push(event);
      }
      return found ?? NONE;
    },
    firstExit(replica) {
      return first[replica];
    },
    escapes() {
      return all;
    },
    remaining() {
      return replicas - all.length;
    },
  };
}
