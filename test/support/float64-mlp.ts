/**
 * An independent float64 reference for dense MLPs: the loss, its exact gradient by backprop, exact Hessian-vector
 * products by forward-over-reverse differentiation (the tangent of backprop along v, Pearlmutter's R-operator: exact
 * up to rounding, and free of the kink problems finite differences have with ReLU), the full Hessian column by
 * column, and a cyclic Jacobi eigensolver. Plain JS doubles throughout: nothing here calls tfjs or kramers for the
 * mathematics, so it can judge both. Only `mlpFromLayersModel` touches a tfjs model, to read its architecture and
 * weights.
 *
 * Conventions are tfjs's, so a kramers probe of the same model computes the same function:
 * - flat θ: layers in order, each kernel [in, out] row-major, then its bias (the order of `model.trainableWeights`
 *   and of test/fixtures/shared/reference);
 * - losses are means over the batch: categorical cross-entropy over rows of −Σ_k y_k log softmax(z)_k (unclipped),
 *   the others over all m·k output elements (tfjs-layers' mean over the last axis, then over rows);
 * - ReLU has relu'(0) = 0 and relu'' = 0 (the almost-everywhere Hessian, as in the reference fixtures).
 */
import type * as tf from '@tensorflow/tfjs';

export type Activation = 'linear' | 'tanh' | 'relu' | 'sigmoid' | 'softmax';

/**
 * `categoricalCrossentropy` needs a softmax output and `binaryCrossentropy` a sigmoid one (both are evaluated from the
 * logits, unclipped); `huber` is tf.losses.huberLoss with δ = 1.
 */
export type LossKind = 'categoricalCrossentropy' | 'meanSquaredError' | 'binaryCrossentropy' | 'meanAbsoluteError' | 'huber';

export interface DenseLayer {
  readonly inputs: number;
  readonly units: number;
  readonly activation: Activation;
  readonly bias: boolean;
}

export interface MlpSpec {
  readonly layers: readonly DenseLayer[];
  readonly loss: LossKind;
  /** Keras-style L2 penalty on the kernels: l2·Σ W² added to the loss (biases are not penalised). */
  readonly l2?: number;
}

/** Rows of inputs and targets, row-major float64 ([rows, inputs] and [rows, outputs]). */
export interface Batch {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly rows: number;
}

interface Offsets {
  readonly kernel: number;
  readonly bias: number;
}

/** The state of the network at one θ that every Hessian-vector product there reuses. */
interface Linearisation {
  readonly theta: Float64Array;
  /** Activations per layer, a[0] = x. */
  readonly a: Float64Array[];
  /** Pre-activations per layer (index l − 1 for layer l). */
  readonly z: Float64Array[];
  /** ∂L/∂z per layer. */
  readonly dz: Float64Array[];
  /** ∂L/∂a per layer, for layers whose loss derivative is not taken through z directly. */
  readonly da: Float64Array[];
}

export class Float64Mlp {
  readonly size: number;
  private readonly offsets: Offsets[];
  private readonly outputs: number;

  constructor(
    readonly spec: MlpSpec,
    readonly batch: Batch,
  ) {
    const { layers, loss } = spec;
    if (layers.length === 0) throw new Error('Float64Mlp: no layers');
    for (let l = 1; l < layers.length; l++) {
      if (layers[l]!.inputs !== layers[l - 1]!.units) {
        throw new Error(`Float64Mlp: layer ${l} takes ${layers[l]!.inputs} inputs, gets ${layers[l - 1]!.units}`);
      }
    }
    const last = layers[layers.length - 1]!;
    if (loss === 'categoricalCrossentropy' && last.activation !== 'softmax') {
      throw new Error('Float64Mlp: categoricalCrossentropy needs a softmax output');
    }
    if (loss === 'binaryCrossentropy' && last.activation !== 'sigmoid') {
      throw new Error('Float64Mlp: binaryCrossentropy needs a sigmoid output');
    }
    this.outputs = last.units;
    if (batch.x.length !== batch.rows * layers[0]!.inputs) throw new Error('Float64Mlp: x has the wrong length');
    if (batch.y.length !== batch.rows * this.outputs) throw new Error('Float64Mlp: y has the wrong length');
    let offset = 0;
    this.offsets = layers.map((layer) => {
      const kernel = offset;
      offset += layer.inputs * layer.units;
      const bias = offset;
      if (layer.bias) offset += layer.units;
      return { kernel, bias };
    });
    this.size = offset;
  }

  loss(theta: ArrayLike<number>): number {
    return this.evaluate(theta).loss;
  }

  /** Loss and exact gradient by backprop. */
  lossAndGradient(theta: ArrayLike<number>): { loss: number; gradient: Float64Array } {
    const { loss, gradient } = this.evaluate(theta);
    return { loss, gradient };
  }

  /** H·v, exact up to rounding. */
  hvp(theta: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
    return this.tangent(this.evaluate(theta).state, v);
  }

  /** The full Hessian, n × n row-major, symmetrised ((H + Hᵀ)/2; the asymmetry before is rounding only). */
  hessian(theta: ArrayLike<number>): Float64Array {
    const n = this.size;
    const { state } = this.evaluate(theta);
    const h = new Float64Array(n * n);
    const e = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      e[i] = 1;
      h.set(this.tangent(state, e), i * n);
      e[i] = 0;
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const s = 0.5 * (h[i * n + j]! + h[j * n + i]!);
        h[i * n + j] = s;
        h[j * n + i] = s;
      }
    }
    return h;
  }

  /** Fraction of rows whose largest output is at the argmax of the target row (classification accuracy). */
  accuracy(theta: ArrayLike<number>): number {
    const { state } = this.evaluate(theta);
    const out = state.a[state.a.length - 1]!;
    const k = this.outputs;
    let hits = 0;
    for (let r = 0; r < this.batch.rows; r++) {
      if (argmax(out, r * k, k) === argmax(this.batch.y, r * k, k)) hits++;
    }
    return hits / this.batch.rows;
  }

  private evaluate(thetaLike: ArrayLike<number>): { loss: number; gradient: Float64Array; state: Linearisation } {
    const theta = Float64Array.from(thetaLike);
    if (theta.length !== this.size) throw new Error(`Float64Mlp: θ has ${theta.length} entries, the model ${this.size}`);
    const { layers } = this.spec;
    const m = this.batch.rows;
    const a: Float64Array[] = [this.batch.x];
    const z: Float64Array[] = [];
    for (let l = 0; l < layers.length; l++) {
      const zl = affine(a[l]!, m, layers[l]!, theta, this.offsets[l]!);
      z.push(zl);
      a.push(activate(layers[l]!.activation, zl, m, layers[l]!.units));
    }
    const { loss: data, dz: dzLast, da: daLast } = this.lossHead(z[z.length - 1]!, a[a.length - 1]!);
    let loss = data;
    const gradient = new Float64Array(this.size);
    const dz: Float64Array[] = new Array<Float64Array>(layers.length);
    const da: Float64Array[] = new Array<Float64Array>(layers.length);
    let upstream = daLast;
    for (let l = layers.length - 1; l >= 0; l--) {
      const layer = layers[l]!;
      da[l] = upstream ?? new Float64Array(0);
      dz[l] =
        l === layers.length - 1 && dzLast ? dzLast : activationBackward(layer.activation, z[l]!, a[l + 1]!, upstream!, m, layer.units);
      const { kernel, bias } = this.offsets[l]!;
      outerAccumulate(gradient, kernel, a[l]!, dz[l]!, m, layer.inputs, layer.units);
      if (layer.bias) columnSums(gradient, bias, dz[l]!, m, layer.units);
      if (l > 0) upstream = backThroughKernel(dz[l]!, theta, kernel, m, layer.inputs, layer.units);
    }
    const l2 = this.spec.l2 ?? 0;
    if (l2 !== 0) {
      layers.forEach((layer, l) => {
        const { kernel } = this.offsets[l]!;
        for (let i = kernel; i < kernel + layer.inputs * layer.units; i++) {
          loss += l2 * theta[i]! * theta[i]!;
          gradient[i]! += 2 * l2 * theta[i]!;
        }
      });
    }
    return { loss, gradient, state: { theta, a, z, dz, da } };
  }

  /** Loss of the output and its derivative: fused with the output activation (dz) or with respect to it (da). */
  private lossHead(zOut: Float64Array, out: Float64Array): { loss: number; dz?: Float64Array; da?: Float64Array } {
    const { y, rows: m } = this.batch;
    const k = this.outputs;
    const N = m * k;
    let loss = 0;
    switch (this.spec.loss) {
      case 'categoricalCrossentropy': {
        const dz = new Float64Array(N);
        for (let r = 0; r < m; r++) {
          const lse = logSumExp(zOut, r * k, k);
          let total = 0;
          for (let j = 0; j < k; j++) {
            loss -= (y[r * k + j]! * (zOut[r * k + j]! - lse)) / m;
            total += y[r * k + j]!;
          }
          for (let j = 0; j < k; j++) dz[r * k + j] = (out[r * k + j]! * total - y[r * k + j]!) / m;
        }
        return { loss, dz };
      }
      case 'binaryCrossentropy': {
        const dz = new Float64Array(N);
        for (let i = 0; i < N; i++) {
          const t = zOut[i]!;
          loss += (Math.max(t, 0) - t * y[i]! + Math.log1p(Math.exp(-Math.abs(t)))) / N;
          dz[i] = (out[i]! - y[i]!) / N;
        }
        return { loss, dz };
      }
      case 'meanSquaredError':
      case 'meanAbsoluteError':
      case 'huber': {
        const da = new Float64Array(N);
        for (let i = 0; i < N; i++) {
          const e = out[i]! - y[i]!;
          loss += elementLoss(this.spec.loss, e) / N;
          da[i] = elementLossDerivative(this.spec.loss, e) / N;
        }
        return { loss, da };
      }
    }
  }

  /** Forward-over-reverse: the directional derivative of the whole backprop pass of `evaluate` along v. */
  private tangent(s: Linearisation, vLike: ArrayLike<number>): Float64Array {
    const v = Float64Array.from(vLike);
    if (v.length !== this.size) throw new Error(`Float64Mlp: v has ${v.length} entries, the model ${this.size}`);
    const { layers } = this.spec;
    const m = this.batch.rows;
    const L = layers.length;
    // forward: ż_l = ȧ_{l−1} W + a_{l−1} V_W + V_b, ȧ_l = act'(z_l) ż_l
    // a Hessian column has v = e_i: skipping the layers v does not touch saves a third of the work
    const touches = layers.map((layer, l) => {
      const start = this.offsets[l]!.kernel;
      const end = start + layer.inputs * layer.units + (layer.bias ? layer.units : 0);
      for (let i = start; i < end; i++) if (v[i] !== 0) return true;
      return false;
    });
    const aDot: Float64Array[] = [new Float64Array(this.batch.x.length)];
    const zDot: Float64Array[] = [];
    for (let l = 0; l < L; l++) {
      const layer = layers[l]!;
      const zd = affine(aDot[l]!, m, { ...layer, bias: false }, s.theta, this.offsets[l]!);
      if (touches[l]) {
        const fromV = affine(s.a[l]!, m, layer, v, this.offsets[l]!);
        for (let i = 0; i < zd.length; i++) zd[i]! += fromV[i]!;
      }
      zDot.push(zd);
      aDot.push(activationTangent(layer.activation, s.a[l + 1]!, s.z[l]!, zd, m, layer.units));
    }
    // backward: the tangent of each line of evaluate's backward pass
    const hv = new Float64Array(this.size);
    let daDot = this.lossHeadTangent(aDot[L]!, s.a[L]!);
    for (let l = L - 1; l >= 0; l--) {
      const layer = layers[l]!;
      const { kernel, bias } = this.offsets[l]!;
      let dzDot: Float64Array;
      if (l === L - 1 && (this.spec.loss === 'categoricalCrossentropy' || this.spec.loss === 'binaryCrossentropy')) {
        dzDot = this.fusedHeadTangent(aDot[L]!);
      } else {
        const { activation, units } = layer;
        dzDot = activationBackwardTangent(activation, s.z[l]!, s.a[l + 1]!, zDot[l]!, aDot[l + 1]!, s.da[l]!, daDot!, m, units);
      }
      // ġ_W = ȧ_{l−1}ᵀ δz + a_{l−1}ᵀ δż
      outerAccumulate(hv, kernel, aDot[l]!, s.dz[l]!, m, layer.inputs, layer.units);
      outerAccumulate(hv, kernel, s.a[l]!, dzDot, m, layer.inputs, layer.units);
      if (layer.bias) columnSums(hv, bias, dzDot, m, layer.units);
      if (l > 0) {
        // δȧ_{l−1} = δż Wᵀ + δz V_Wᵀ
        const part = backThroughKernel(dzDot, s.theta, kernel, m, layer.inputs, layer.units);
        if (touches[l]) {
          const fromV = backThroughKernel(s.dz[l]!, v, kernel, m, layer.inputs, layer.units);
          for (let i = 0; i < part.length; i++) part[i]! += fromV[i]!;
        }
        daDot = part;
      }
    }
    const l2 = this.spec.l2 ?? 0;
    if (l2 !== 0) {
      layers.forEach((layer, l) => {
        const { kernel } = this.offsets[l]!;
        for (let i = kernel; i < kernel + layer.inputs * layer.units; i++) hv[i]! += 2 * l2 * v[i]!;
      });
    }
    return hv;
  }

  private lossHeadTangent(outDot: Float64Array, out: Float64Array): Float64Array | undefined {
    const loss = this.spec.loss;
    if (loss === 'categoricalCrossentropy' || loss === 'binaryCrossentropy') return undefined;
    const N = outDot.length;
    const { y } = this.batch;
    const d = new Float64Array(N);
    for (let i = 0; i < N; i++) d[i] = (elementLossCurvature(loss, out[i]! - y[i]!) * outDot[i]!) / N;
    return d;
  }

  private fusedHeadTangent(outDot: Float64Array): Float64Array {
    const { y, rows: m } = this.batch;
    const k = this.outputs;
    const d = new Float64Array(outDot.length);
    if (this.spec.loss === 'binaryCrossentropy') {
      for (let i = 0; i < d.length; i++) d[i] = outDot[i]! / d.length;
      return d;
    }
    for (let r = 0; r < m; r++) {
      let total = 0;
      for (let j = 0; j < k; j++) total += y[r * k + j]!;
      for (let j = 0; j < k; j++) d[r * k + j] = (outDot[r * k + j]! * total) / m;
    }
    return d;
  }
}

function argmax(a: Float64Array, offset: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (a[offset + j]! > a[offset + best]!) best = j;
  return best;
}

function logSumExp(z: Float64Array, offset: number, k: number): number {
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, z[offset + j]!);
  let sum = 0;
  for (let j = 0; j < k; j++) sum += Math.exp(z[offset + j]! - max);
  return max + Math.log(sum);
}

function elementLoss(kind: LossKind, e: number): number {
  if (kind === 'meanSquaredError') return e * e;
  if (kind === 'meanAbsoluteError') return Math.abs(e);
  const q = Math.min(Math.abs(e), 1);
  return 0.5 * q * q + (Math.abs(e) - q);
}

function elementLossDerivative(kind: LossKind, e: number): number {
  if (kind === 'meanSquaredError') return 2 * e;
  if (kind === 'meanAbsoluteError') return Math.sign(e);
  return Math.max(-1, Math.min(1, e));
}

function elementLossCurvature(kind: LossKind, e: number): number {
  if (kind === 'meanSquaredError') return 2;
  if (kind === 'meanAbsoluteError') return 0;
  return Math.abs(e) <= 1 ? 1 : 0;
}

/** input·W + b for one layer, weights read from `params` (θ, or a direction v). */
function affine(input: Float64Array, m: number, layer: DenseLayer, params: Float64Array, at: Offsets): Float64Array {
  const { inputs: d, units: k } = layer;
  const out = new Float64Array(m * k);
  for (let r = 0; r < m; r++) {
    const row = r * k;
    if (layer.bias) for (let j = 0; j < k; j++) out[row + j] = params[at.bias + j]!;
    for (let i = 0; i < d; i++) {
      const xi = input[r * d + i]!;
      if (xi === 0) continue;
      const w = at.kernel + i * k;
      for (let j = 0; j < k; j++) out[row + j]! += xi * params[w + j]!;
    }
  }
  return out;
}

/** δ Wᵀ: the derivative with respect to a layer's input. */
function backThroughKernel(delta: Float64Array, params: Float64Array, kernel: number, m: number, d: number, k: number): Float64Array {
  const out = new Float64Array(m * d);
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < d; i++) {
      let s = 0;
      const w = kernel + i * k;
      for (let j = 0; j < k; j++) s += delta[r * k + j]! * params[w + j]!;
      out[r * d + i] = s;
    }
  }
  return out;
}

/** target[kernel + i·k + j] += Σ_r input[r,i]·delta[r,j]. */
function outerAccumulate(
  target: Float64Array,
  kernel: number,
  input: Float64Array,
  delta: Float64Array,
  m: number,
  d: number,
  k: number,
): void {
  for (let r = 0; r < m; r++) {
    for (let i = 0; i < d; i++) {
      const xi = input[r * d + i]!;
      if (xi === 0) continue;
      const w = kernel + i * k;
      for (let j = 0; j < k; j++) target[w + j]! += xi * delta[r * k + j]!;
    }
  }
}

function columnSums(target: Float64Array, at: number, delta: Float64Array, m: number, k: number): void {
  for (let r = 0; r < m; r++) for (let j = 0; j < k; j++) target[at + j]! += delta[r * k + j]!;
}

function activate(act: Activation, z: Float64Array, m: number, k: number): Float64Array {
  const a = new Float64Array(z.length);
  switch (act) {
    case 'linear':
      a.set(z);
      break;
    case 'tanh':
      for (let i = 0; i < z.length; i++) a[i] = Math.tanh(z[i]!);
      break;
    case 'relu':
      for (let i = 0; i < z.length; i++) a[i] = z[i]! > 0 ? z[i]! : 0;
      break;
    case 'sigmoid':
      for (let i = 0; i < z.length; i++) a[i] = 1 / (1 + Math.exp(-z[i]!));
      break;
    case 'softmax':
      for (let r = 0; r < m; r++) {
        const lse = logSumExp(z, r * k, k);
        for (let j = 0; j < k; j++) a[r * k + j] = Math.exp(z[r * k + j]! - lse);
      }
      break;
  }
  return a;
}

/** act'(z) of an elementwise activation, from z and a = act(z). */
function firstDerivative(act: Exclude<Activation, 'softmax'>, z: number, a: number): number {
  switch (act) {
    case 'linear':
      return 1;
    case 'tanh':
      return 1 - a * a;
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'sigmoid':
      return a * (1 - a);
  }
}

/** act''(z), from a = act(z). */
function secondDerivative(act: Exclude<Activation, 'softmax'>, a: number): number {
  switch (act) {
    case 'linear':
    case 'relu':
      return 0;
    case 'tanh':
      return -2 * a * (1 - a * a);
    case 'sigmoid':
      return a * (1 - a) * (1 - 2 * a);
  }
}

/** Row-wise ⟨p, u⟩. */
function rowDot(p: Float64Array, u: Float64Array, r: number, k: number): number {
  let s = 0;
  for (let j = 0; j < k; j++) s += p[r * k + j]! * u[r * k + j]!;
  return s;
}

/** ∂L/∂z from ∂L/∂a; softmax's Jacobian is diag(p) − ppᵀ. */
function activationBackward(act: Activation, z: Float64Array, a: Float64Array, da: Float64Array, m: number, k: number): Float64Array {
  const dz = new Float64Array(z.length);
  if (act === 'softmax') {
    for (let r = 0; r < m; r++) {
      const c = rowDot(a, da, r, k);
      for (let j = 0; j < k; j++) dz[r * k + j] = a[r * k + j]! * (da[r * k + j]! - c);
    }
    return dz;
  }
  for (let i = 0; i < z.length; i++) dz[i] = firstDerivative(act, z[i]!, a[i]!) * da[i]!;
  return dz;
}

function activationTangent(act: Activation, a: Float64Array, z: Float64Array, zDot: Float64Array, m: number, k: number): Float64Array {
  return activationBackward(act, z, a, zDot, m, k);
}

/** The tangent of activationBackward: d/dt [act'(z) δa] along (ż, ȧ, δȧ). */
function activationBackwardTangent(
  act: Activation,
  z: Float64Array,
  a: Float64Array,
  zDot: Float64Array,
  aDot: Float64Array,
  da: Float64Array,
  daDot: Float64Array,
  m: number,
  k: number,
): Float64Array {
  const out = new Float64Array(z.length);
  if (act === 'softmax') {
    // δz = p ⊙ (δa − ⟨p, δa⟩) ⇒ δż = ṗ ⊙ (δa − ⟨p, δa⟩) + p ⊙ (δȧ − ⟨ṗ, δa⟩ − ⟨p, δȧ⟩)
    for (let r = 0; r < m; r++) {
      const c = rowDot(a, da, r, k);
      const cDot = rowDot(aDot, da, r, k) + rowDot(a, daDot, r, k);
      for (let j = 0; j < k; j++) {
        const i = r * k + j;
        out[i] = aDot[i]! * (da[i]! - c) + a[i]! * (daDot[i]! - cDot);
      }
    }
    return out;
  }
  for (let i = 0; i < z.length; i++) {
    out[i] = secondDerivative(act, a[i]!) * zDot[i]! * da[i]! + firstDerivative(act, z[i]!, a[i]!) * daDot[i]!;
  }
  return out;
}

/**
 * Eigen-decomposition of a symmetric n × n row-major matrix by cyclic Jacobi rotations: ascending eigenvalues and,
 * when asked, unit eigenvectors (vectors[i] belongs to values[i]). The input is not modified.
 */
export function jacobiEigen(
  matrix: ArrayLike<number>,
  n: number,
  options: { vectors?: boolean } = {},
): { values: Float64Array; vectors: Float64Array[] } {
  const a = Float64Array.from(matrix);
  if (a.length !== n * n) throw new Error(`jacobiEigen: expected ${n * n} entries, got ${a.length}`);
  const wantVectors = options.vectors ?? false;
  const V = wantVectors ? new Float64Array(n * n) : null;
  if (V) for (let i = 0; i < n; i++) V[i * n + i] = 1;
  let frob = 0;
  for (let i = 0; i < n * n; i++) frob += a[i]! * a[i]!;
  const floor = (Number.EPSILON * Math.sqrt(frob)) ** 2 * 1e-4;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let offAbs = 0;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        off += a[p * n + q]! ** 2;
        offAbs += Math.abs(a[p * n + q]!);
      }
    }
    if (off <= floor) break;
    // early sweeps rotate only the large entries (Numerical Recipes' threshold): later ones would undo the rest
    const threshold = sweep < 3 ? (0.2 * offAbs) / (n * n) : 0;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0 || Math.abs(apq) <= threshold) continue;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        // a negligible a_pq no rotation would change: drop it (Rutishauser's test)
        if (Math.abs(app) + 100 * Math.abs(apq) === Math.abs(app) && Math.abs(aqq) + 100 * Math.abs(apq) === Math.abs(aqq) && sweep > 3) {
          a[p * n + q] = 0;
          a[q * n + p] = 0;
          continue;
        }
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          if (k === p || k === q) continue;
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          const np = c * akp - s * akq;
          const nq = s * akp + c * akq;
          a[k * n + p] = np;
          a[p * n + k] = np;
          a[k * n + q] = nq;
          a[q * n + k] = nq;
        }
        a[p * n + p] = app - t * apq;
        a[q * n + q] = aqq + t * apq;
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        if (V) {
          for (let k = 0; k < n; k++) {
            const vkp = V[k * n + p]!;
            const vkq = V[k * n + q]!;
            V[k * n + p] = c * vkp - s * vkq;
            V[k * n + q] = s * vkp + c * vkq;
          }
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i * n + i]! - a[j * n + j]!);
  const values = Float64Array.from(order, (i) => a[i * n + i]!);
  const vectors = V ? order.map((col) => Float64Array.from({ length: n }, (_, k) => V[k * n + col]!)) : [];
  return { values, vectors };
}

/** Trace, ‖A‖_F² and Σ A_ii² of a square row-major matrix: Hutchinson's variances are closed forms in these. */
export function matrixMoments(a: ArrayLike<number>, n: number): { trace: number; frobenius2: number; diagonal2: number } {
  let trace = 0;
  let frobenius2 = 0;
  let diagonal2 = 0;
  for (let i = 0; i < n; i++) {
    trace += a[i * n + i]!;
    diagonal2 += a[i * n + i]! ** 2;
    for (let j = 0; j < n; j++) frobenius2 += a[i * n + j]! ** 2;
  }
  return { trace, frobenius2, diagonal2 };
}

/** Per-probe variance of zᵀAz for Rademacher z and symmetric A: 2(‖A‖_F² − Σ A_ii²). */
export function rademacherVariance(a: ArrayLike<number>, n: number): number {
  const { frobenius2, diagonal2 } = matrixMoments(a, n);
  return 2 * (frobenius2 - diagonal2);
}

/** (I − P) A (I − P) with P = Σ u uᵀ over orthonormal `basis`; the operator a deflated Hutchinson estimator samples. */
export function deflate(a: ArrayLike<number>, n: number, basis: readonly ArrayLike<number>[]): Float64Array {
  // B = A(I − P) = A − Σ (Au) uᵀ, then (I − P)B = B − Σ u (uᵀB)
  const b = Float64Array.from(a);
  for (const u of basis) {
    const au = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += b[i * n + j]! * u[j]!;
      au[i] = s;
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i * n + j]! -= au[i]! * u[j]!;
  }
  for (const u of basis) {
    const ub = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const ui = u[i]!;
      for (let j = 0; j < n; j++) ub[j]! += ui * b[i * n + j]!;
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i * n + j]! -= u[i]! * ub[j]!;
  }
  return b;
}

/** Square of a symmetric row-major matrix. */
export function square(a: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j]! += aik * a[k * n + j]!;
    }
  }
  return out;
}

const ACTIVATIONS: readonly string[] = ['linear', 'tanh', 'relu', 'sigmoid', 'softmax'];

/**
 * Architecture and float64 θ of a tfjs LayersModel made of Dense layers (Dropout and InputLayer are skipped: they
 * are the identity at inference). θ is read with getWeights(), float32 values widened exactly.
 */
export function mlpFromLayersModel(
  model: tf.LayersModel,
  loss: LossKind,
  options: { l2?: number } = {},
): { spec: MlpSpec; theta: Float64Array } {
  const layers: DenseLayer[] = [];
  const parts: Float64Array[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls === 'Dropout' || cls === 'InputLayer') continue;
    if (cls !== 'Dense') throw new Error(`mlpFromLayersModel: layer ${layer.name} is a ${cls}; only Dense (and Dropout) are supported`);
    const config = layer.getConfig() as { units: number; activation: string; useBias: boolean };
    if (!ACTIVATIONS.includes(config.activation)) {
      throw new Error(`mlpFromLayersModel: activation ${config.activation} of ${layer.name} is not supported`);
    }
    const weights = layer.getWeights();
    const kernel = weights[0]!;
    layers.push({ inputs: kernel.shape[0]!, units: config.units, activation: config.activation as Activation, bias: config.useBias });
    for (const w of weights) parts.push(Float64Array.from(w.dataSync()));
  }
  const theta = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    theta.set(p, offset);
    offset += p.length;
  }
  return { spec: { layers, loss, ...(options.l2 === undefined ? {} : { l2: options.l2 }) }, theta };
}

/**
 * features…, integer label per line after a header: float32-exact inputs and one-hot targets over `classes`
 * (default: the largest label + 1).
 */
export function batchFromCsv(text: string, classes?: number): Batch {
  const rows = text.trim().split('\n').slice(1).map((line) => line.split(',').map(Number));
  const d = rows[0]!.length - 1;
  const k = classes ?? Math.max(...rows.map((row) => row[d]!)) + 1;
  const x = new Float64Array(rows.length * d);
  const y = new Float64Array(rows.length * k);
  rows.forEach((row, r) => {
    for (let i = 0; i < d; i++) x[r * d + i] = Math.fround(row[i]!);
    y[r * k + row[d]!] = 1;
  });
  return { x, y, rows: rows.length };
}

/**
 * The escape experiments' banknote model in float64: 4 → 10 (tanh) → 2 (softmax), categorical cross-entropy, with
 * Keras-style l2 on the kernels when given (kramers' weight decay also covers the biases: add those terms yourself).
 */
export function banknoteTanhMlp(data: { readonly x: ArrayLike<number>; readonly y: ArrayLike<number>; readonly rows: number }, l2?: number): Float64Mlp {
  return new Float64Mlp(
    {
      layers: [
        { inputs: 4, units: 10, activation: 'tanh', bias: true },
        { inputs: 10, units: 2, activation: 'softmax', bias: true },
      ],
      loss: 'categoricalCrossentropy',
      ...(l2 === undefined ? {} : { l2 }),
    },
    { x: Float64Array.from(data.x), y: Float64Array.from(data.y), rows: data.rows },
  );
}
