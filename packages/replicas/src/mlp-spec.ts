/** Hidden-layer nonlinearity of a model ensemble's MLP; the output layer is always softmax. */
export type MlpActivation = 'tanh' | 'relu';

export const MLP_ACTIVATIONS: readonly MlpActivation[] = ['tanh', 'relu'];

/** A fully connected classifier: layers[0] inputs, hidden widths, layers[last] classes (softmax cross-entropy). */
export interface MlpSpec {
  /** e.g. [4, 10, 2]: 4 inputs, one hidden layer of 10, 2 classes. */
  readonly layers: readonly number[];
  /** Hidden layers' activation (default tanh). */
  readonly activation?: MlpActivation;
}

/** A classification table: x row-major [rows, layers[0]], y row-major one-hot [rows, classes]. */
export interface MlpData {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly rows: number;
}

/** Where one weight tensor sits in the flat parameter vector (tfjs Dense order: kernel [in, out], then bias). */
export interface MlpLayerLayout {
  readonly inputs: number;
  readonly outputs: number;
  /** Offset of the kernel, row-major [inputs, outputs]. */
  readonly kernelOffset: number;
  /** Offset of the bias [outputs], right after the kernel. */
  readonly biasOffset: number;
}

export interface MlpLayout {
  readonly layers: readonly MlpLayerLayout[];
  /** P, the number of parameters. */
  readonly parameters: number;
}

/**
 * The flat layout of the MLP's parameters, in the order of a tf.sequential of Dense layers' `trainableWeights`
 * (kernel₁, bias₁, kernel₂, bias₂, …), each row-major: what `readFlat`/`writeFlat` of @kramers/core read and write.
 */
export function mlpLayout(spec: MlpSpec): MlpLayout {
  checkMlpSpec('mlpLayout', spec);
  const layers: MlpLayerLayout[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < spec.layers.length; l++) {
    const inputs = spec.layers[l]!;
    const outputs = spec.layers[l + 1]!;
    layers.push({ inputs, outputs, kernelOffset: offset, biasOffset: offset + inputs * outputs });
    offset += inputs * outputs + outputs;
  }
  return { layers, parameters: offset };
}

export function checkMlpSpec(where: string, spec: MlpSpec): void {
  const layers = spec?.layers;
  if (!Array.isArray(layers) || layers.length < 2) {
    throw new RangeError(`${where}: layers = ${JSON.stringify(layers)}; give inputs, hidden widths and classes, e.g. [4, 10, 2]`);
  }
  layers.forEach((w, i) => {
    if (!Number.isSafeInteger(w) || w < 1) {
      throw new RangeError(`${where}: layers[${i}] = ${String(w)}; every width must be an integer ≥ 1, e.g. [4, 10, 2]`);
    }
  });
  if (layers[layers.length - 1]! < 2) {
    throw new RangeError(`${where}: layers ends with ${String(layers[layers.length - 1])} classes; softmax needs ≥ 2 (one-hot y)`);
  }
  const activation = spec.activation ?? 'tanh';
  if (!MLP_ACTIVATIONS.includes(activation)) {
    throw new RangeError(`${where}: activation = ${String(activation)}; use one of ${MLP_ACTIVATIONS.join(', ')}`);
  }
}

/** Checks that the data fit the spec: sizes, finite features, and label rows that sum to 1. */
export function checkMlpData(where: string, spec: MlpSpec, data: MlpData): void {
  const inputs = spec.layers[0]!;
  const classes = spec.layers[spec.layers.length - 1]!;
  const { x, y, rows } = data ?? ({} as MlpData);
  if (!Number.isSafeInteger(rows) || rows < 1) throw new RangeError(`${where}: data.rows = ${String(rows)}; use the number of examples (≥ 1)`);
  if (!(x instanceof Float32Array) || x.length !== rows * inputs) {
    throw new RangeError(`${where}: data.x has ${String(x?.length)} entries; a Float32Array of rows × layers[0] = ${rows * inputs} is needed`);
  }
  if (!(y instanceof Float32Array) || y.length !== rows * classes) {
    throw new RangeError(`${where}: data.y has ${String(y?.length)} entries; a one-hot Float32Array of rows × classes = ${rows * classes} is needed`);
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) throw new RangeError(`${where}: data.x[${i}] = ${x[i]}; features must be finite (standardize or impute first)`);
  }
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let c = 0; c < classes; c++) s += y[i * classes + c]!;
    if (!(Math.abs(s - 1) < 1e-5)) {
      throw new RangeError(`${where}: data.y row ${i} sums to ${s}; each row must be one-hot (or a distribution summing to 1)`);
    }
  }
}

export function checkParameters(where: string, field: string, theta: Float32Array, parameters: number): void {
  if (!(theta instanceof Float32Array) || theta.length !== parameters) {
    throw new RangeError(`${where}: ${field} has ${String(theta?.length)} entries; the MLP has ${parameters} parameters (a Float32Array in tfjs trainableWeights order)`);
  }
  for (let i = 0; i < theta.length; i++) {
    if (!Number.isFinite(theta[i]!)) throw new RangeError(`${where}: ${field}[${i}] = ${theta[i]}; parameters must be finite`);
  }
}

/** weightDecay λ ≥ 0 and sharpness rescaling k > 0, both finite. */
export function checkRegularization(where: string, weightDecay: number, k: number): void {
  if (typeof weightDecay !== 'number' || !Number.isFinite(weightDecay) || weightDecay < 0) {
    throw new RangeError(`${where}: weightDecay = ${String(weightDecay)}; use a finite number ≥ 0, e.g. 0.01`);
  }
  if (typeof k !== 'number' || !Number.isFinite(k) || k <= 0) {
    throw new RangeError(`${where}: k = ${String(k)}; use a finite number > 0 (1 leaves the loss unchanged)`);
  }
}
