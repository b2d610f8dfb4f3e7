/** Refuses a row that does not exist or a dim that is not the boundary's, naming the argument. */
export function checkRow(positions: Float32Array | Float64Array, row: number, dim: number, expected: number): void {
  if (dim !== expected) throw new Error(`exitOf: dim = ${dim}; this boundary has dim ${expected}`);
  if (!(row >= 0) || (row + 1) * dim > positions.length || !Number.isInteger(row)) {
    throw new Error(`exitOf: row = ${row} is not a row of positions (${positions.length / dim} rows of ${dim})`);
  }
}

/** The error for a replica whose coordinate is NaN or infinite. */
export function divergedError(row: number, coordinate: number, value: number): Error {
  return new Error(
    `exitOf: row ${row} has θ[${coordinate}] = ${value}; the replica diverged, so it has no exit direction (lower the learning rate)`,
  );
}
