// Curvature cost on the wasm backend, side by side in one process (docs/tfjs-second-order.md §5): a 784-128-10 MLP
// (relu hidden layer, softmax cross-entropy through the registry's drop-in `softmaxCrossEntropy`), batch 128,
// seeded random data and Glorot weights.
//   (a) gradient time, kramers registry installed vs stock tfjs (interleaved reps, medians);
//   (b) HVP time / gradient time with the registry;
//   (c) HVPs for the top-5 eigenvalues to 1e-3 relative: Lanczos vs PyHessian's power iteration (its defaults),
//       against a tight Lanczos run as the truth;
//   (d) the same gradient and HVP in PyTorch, if `python3 -c "import torch"` works;
//   (e) the sharpness plugin's share of training time under its default schedule (target ≤ its 10 % budget after
//       the one-run warm-up), on the shapes of TensorFlow.js's iris example (fit, 40 and 200 epochs) and abalone
//       example (fitDataset, MSE; 4177 × 8 seeded synthetic rows, as abalone data cannot be downloaded here), on
//       wasm and cpu.
// Run after building: `npx tsc -b && npx tsx bench/curvature/run.ts [reps]`. The last line is the summary.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { spawnSync } from 'node:child_process';
import { createRng, installSecondOrderGradients, instrument, softmaxCrossEntropy, useBackend } from '@kramers/core';
import { loadDataset, standardize, toTensors } from '@kramers/datasets';
import {
  analyzeCurvature,
  lanczos,
  lanczosTridiagonal,
  makeHvp,
  powerIteration,
  sharpness,
  tridiagonalEigen,
  type SymmetricOperator,
} from '@kramers/hvp-estimator';

const REPS = Number(process.argv[2] ?? 40);
// wasm code and heap take ~20 runs to reach steady state (measured: the first 5–30 gradients run 1.5–2x slower)
const WARMUP = 20;
const BATCH = 128;

await tf.setBackend('wasm');
await tf.ready();

const x = tf.randomNormal([BATCH, 784], 0, 1, 'float32', 1);
const y = tf.cast(tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 2), 10), 'float32');
const glorot = (shape: [number, number], seed: number) => {
  const a = Math.sqrt(6 / (shape[0] + shape[1]));
  return tf.randomUniform(shape, -a, a, 'float32', seed);
};
const w1 = tf.variable(glorot([784, 128], 3));
const b1 = tf.variable(tf.zeros([128]));
const w2 = tf.variable(glorot([128, 10], 4));
const b2 = tf.variable(tf.zeros([10]));
const variables = [w1, b1, w2, b2];
const n = variables.reduce((s, v) => s + v.size, 0);
const lossFn = () => softmaxCrossEntropy(y, tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2));

const median = (a: number[]) => {
  const s = [...a].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (t: number) => `${t.toFixed(1)} ms`;

/** One gradient as optimizer.minimize computes it, values read back (wasm runs synchronously). */
function timeGradient(): number {
  const t0 = performance.now();
  tf.tidy(() => {
    const { grads } = tf.variableGrads(lossFn, variables);
    for (const v of variables) grads[v.name]!.dataSync();
  });
  return performance.now() - t0;
}

console.log(`backend ${tf.getBackend()}, tfjs ${tf.version.tfjs}, 784-128-10 relu MLP (n = ${n}), softmax CE, batch ${BATCH}, ${REPS} reps`);

// (a) stock vs kramers registry, interleaved, alternating which goes first
const stock: number[] = [];
const kramers: number[] = [];
const gradientRep = (installed: boolean, into: number[] | null) => {
  const uninstall = installed ? installSecondOrderGradients() : null;
  try {
    const t = timeGradient();
    into?.push(t);
  } finally {
    uninstall?.();
  }
};
for (let i = 0; i < WARMUP; i++) {
  gradientRep(false, null);
  gradientRep(true, null);
}
for (let i = 0; i < REPS; i++) {
  if (i % 2 === 0) {
    gradientRep(false, stock);
    gradientRep(true, kramers);
  } else {
    gradientRep(true, kramers);
    gradientRep(false, stock);
  }
}
const gradSpeedup = median(stock) / median(kramers);
console.log(`(a) gradient, stock registry:   median ${ms(median(stock))} (min ${ms(Math.min(...stock))})`);
console.log(`    gradient, kramers registry: median ${ms(median(kramers))} (min ${ms(Math.min(...kramers))})`);
console.log(`    speedup ${gradSpeedup.toFixed(2)}x`);

// (a') the same MLP as tf.layers Dense layers: the softmax output layer goes through fused.matMul, whose own
// backward uses flagged matMuls outside the gradient registry (reached by the wasm kernel wrapper instead).
const layersModel = tf.sequential({
  layers: [
    tf.layers.dense({ units: 128, inputShape: [784], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
    tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }),
  ],
});
const layersVars = layersModel.trainableWeights.map((w) => w.read() as tf.Variable);
const layersLoss = () => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(layersModel.apply(x) as tf.Tensor)), -1))) as tf.Scalar;
const layersRep = (installed: boolean, into: number[] | null) => {
  const undo = installed ? installSecondOrderGradients() : null;
  try {
    const t0 = performance.now();
    tf.tidy(() => {
      const { grads } = tf.variableGrads(layersLoss, layersVars);
      for (const g of Object.values(grads)) g.dataSync();
    });
    into?.push(performance.now() - t0);
  } finally {
    undo?.();
  }
};
const layersStock: number[] = [];
const layersKramers: number[] = [];
for (let i = 0; i < WARMUP + REPS; i++) {
  const order = i % 2 === 0 ? [false, true] : [true, false];
  for (const installed of order) layersRep(installed, i < WARMUP ? null : installed ? layersKramers : layersStock);
}
console.log(
  `(a') tf.layers Dense(relu) → Dense(softmax): stock ${ms(median(layersStock))}, kramers ${ms(median(layersKramers))}, ` +
    `speedup ${(median(layersStock) / median(layersKramers)).toFixed(2)}x`,
);
layersModel.dispose();

const uninstall = installSecondOrderGradients();

// (b) HVP / gradient, interleaved; the HVP is makeHvp's apply (float64 in and out, what Lanczos pays per step)
const H = makeHvp({ lossFn, variables });
const v = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
const grad: number[] = [];
const hvp: number[] = [];
const timeHvp = () => {
  const t0 = performance.now();
  H.apply(v);
  return performance.now() - t0;
};
for (let i = 0; i < WARMUP; i++) {
  timeGradient();
  timeHvp();
}
for (let i = 0; i < REPS; i++) {
  if (i % 2 === 0) {
    grad.push(timeGradient());
    hvp.push(timeHvp());
  } else {
    hvp.push(timeHvp());
    grad.push(timeGradient());
  }
}
const hvpOverGrad = median(hvp) / median(grad);
console.log(
  `(b) gradient ${ms(median(grad))}, HVP ${ms(median(hvp))} (medians): HVP/gradient ${hvpOverGrad.toFixed(2)} ` +
    `(minima ${ms(Math.min(...grad))}, ${ms(Math.min(...hvp))}: ${(Math.min(...hvp) / Math.min(...grad)).toFixed(2)})`,
);

// (c) HVPs for the top 5 to 1e-3 relative
const counted = (op: SymmetricOperator) => {
  let count = 0;
  return { op: { size: op.size, apply: (u: Float64Array) => (count++, op.apply(u)) }, count: () => count };
};
let t0 = performance.now();
const truthRun = lanczos(H, { k: 5, tol: 1e-6, maxIter: 150, seed: 100 });
const truth = Array.from(truthRun.eigenvalues);
console.log(
  `(c) truth (Lanczos tol 1e-6, ${truthRun.hvpCount} HVPs, converged ${truthRun.converged}, ${((performance.now() - t0) / 1000).toFixed(1)} s): ` +
    truth.map((l) => l.toPrecision(7)).join(', ') +
    `; residuals ≤ ${Math.max(...truthRun.residuals).toExponential(1)}`,
);
const maxRelErr = (values: ArrayLike<number>) =>
  Math.max(...truth.map((l, i) => Math.abs(values[i]! - l) / Math.abs(l)));

t0 = performance.now();
const lz = lanczos(H, { k: 5, seed: 1 }); // default tol 1e-3
const lanczosMs = performance.now() - t0;
const lzErr = maxRelErr(lz.eigenvalues);
// oracle: the fewest Lanczos steps (same start) whose top-5 Ritz values are all within 1e-3 of the truth
const tri = lanczosTridiagonal(H, Float64Array.from({ length: n }, (_, i) => Math.cos(3 * i + 1)), 60);
let oracle = -1;
for (let m = 5; m <= tri.alpha.length; m++) {
  const ritz = Array.from(tridiagonalEigen(tri.alpha.subarray(0, m), tri.beta.subarray(0, m)).values).reverse();
  if (maxRelErr(ritz) <= 1e-3) {
    oracle = m;
    break;
  }
}
console.log(
  `    Lanczos (tol 1e-3): ${lz.hvpCount} HVPs, max rel err ${lzErr.toExponential(1)}, ${(lanczosMs / 1000).toFixed(2)} s; ` +
    `oracle (first step count within 1e-3): ${oracle}`,
);

const pc = counted(H);
t0 = performance.now();
const pi = powerIteration(pc.op, { topN: 5, seed: 1 }); // PyHessian defaults: tol 1e-3, maxIter 100
const powerMs = performance.now() - t0;
const piSorted = Array.from(pi.eigenvalues).sort((a, b) => b - a);
const piErr = maxRelErr(piSorted);
console.log(
  `    power iteration (PyHessian defaults): ${pi.hvpCount} HVPs (${pi.iterations.join('/')}), max rel err ${piErr.toExponential(1)}` +
    `${piErr > 1e-3 ? ' (misses 1e-3)' : ''}, ${(powerMs / 1000).toFixed(2)} s`,
);

t0 = performance.now();
const full = analyzeCurvature({ lossFn, variables }, { topK: 5, trace: true, traceProbes: 30, seed: 2 });
console.log(
  `    analyzeCurvature (top 5 + λ_min + trace, 30 probes): ${full.hvpCount} HVPs (Lanczos ${full.hvpBreakdown.lanczos}, ` +
    `converged ${full.converged}), ${((performance.now() - t0) / 1000).toFixed(2)} s; ` +
    `λ_min ${full.minEigenvalue!.toExponential(4)} (residual ${full.minEigenvalueResidual!.toExponential(1)}), ` +
    `tr H ${full.trace!.estimate.toFixed(3)} ± ${full.trace!.stderr.toFixed(3)}`,
);
uninstall();

// (d) PyTorch, only if it is installed
const python = `
import time, torch, statistics as st
torch.manual_seed(0); torch.set_num_threads(1)
x = torch.randn(${BATCH}, 784); y = torch.randint(0, 10, (${BATCH},))
w1 = (torch.rand(784, 128) * 2 - 1) * (6 / 912) ** 0.5; b1 = torch.zeros(128)
w2 = (torch.rand(128, 10) * 2 - 1) * (6 / 138) ** 0.5; b2 = torch.zeros(10)
ps = [p.requires_grad_() for p in (w1, b1, w2, b2)]
loss = lambda: torch.nn.functional.cross_entropy(torch.relu(x @ ps[0] + ps[1]) @ ps[2] + ps[3], y)
vs = [torch.randn_like(p) for p in ps]
def grad():
    return torch.autograd.grad(loss(), ps)
def hvp():
    g = torch.autograd.grad(loss(), ps, create_graph=True)
    return torch.autograd.grad(sum((gi * vi).sum() for gi, vi in zip(g, vs)), ps)
def t(f):
    for _ in range(${WARMUP}): f()
    r = []
    for _ in range(${REPS}):
        s = time.perf_counter(); f(); r.append((time.perf_counter() - s) * 1000)
    return st.median(r)
print(t(grad), t(hvp))
`;
// Debian's python3-torch installs for /usr/bin/python3, which may not be the python3 first on PATH.
const pythonWithTorch = ['python3', '/usr/bin/python3'].find(
  (exe) => spawnSync(exe, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0,
);
let torchNote = '';
if (pythonWithTorch !== undefined) {
  const out = spawnSync(pythonWithTorch, ['-c', python], { encoding: 'utf8' });
  const [tg, th] = out.stdout.trim().split(/\s+/).map(Number);
  if (out.status === 0 && Number.isFinite(tg) && Number.isFinite(th)) {
    console.log(
      `(d) PyTorch (1 thread): gradient ${ms(tg!)}, HVP ${ms(th!)} (HVP/gradient ${(th! / tg!).toFixed(2)}); ` +
        `kramers/PyTorch: gradient ${(median(grad) / tg!).toFixed(2)}x, HVP ${(median(hvp) / th!).toFixed(2)}x`,
    );
    torchNote = `, kramers/PyTorch time: grad ${(median(grad) / tg!).toFixed(2)}x, hvp ${(median(hvp) / th!).toFixed(2)}x`;
  } else {
    console.log(`(d) PyTorch run failed: ${out.stderr.trim().split('\n').pop() ?? 'no output'}`);
  }
} else {
  console.log('(d) PyTorch: skipped (no python3 with torch; `apt-get install python3-torch` adds it; tests and CI do not need it)');
}

tf.dispose([x, y, ...variables]);

// (e) the default schedule's cost in real training
interface ShareCase {
  readonly name: string;
  readonly epochs: number;
  /** Trains a fresh model; `attach` instruments the optimizer with sharpness on the given probe batch. */
  train(attach: (model: tf.LayersModel, px: tf.Tensor, py: tf.Tensor) => tf.Optimizer): Promise<void>;
}
const irisCase = (epochs: number): ShareCase => ({
  name: `iris 4-10-3, fit, ${epochs} epochs`,
  epochs,
  async train(attach) {
    const { x: ix, y: iy } = toTensors(standardize(loadDataset('iris')).dataset);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 10, inputShape: [4], activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: attach(model, ix, iy), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(ix, iy, { epochs, batchSize: 32, verbose: 0 });
    model.dispose();
    tf.dispose([ix, iy]);
  },
});
const abaloneCase: ShareCase = {
  name: 'abalone shape 8-50-50-1, fitDataset, MSE, 20 epochs',
  epochs: 20,
  async train(attach) {
    const rng = createRng(7);
    const rows = 4177;
    const features = Float32Array.from({ length: rows * 8 }, () => rng.normal());
    const target = Float32Array.from({ length: rows }, (_, r) => Math.tanh(features[r * 8]! + 0.5 * features[r * 8 + 1]!) + 0.1 * rng.normal());
    const ax = tf.tensor2d(features, [rows, 8]);
    const ay = tf.tensor2d(target, [rows, 1]);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 50, inputShape: [8], activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
        tf.layers.dense({ units: 50, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
        tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
      ],
    });
    // a fixed 512-row probe, as a user would take for curvature
    const px = tf.slice(ax, 0, 512);
    const py = tf.slice(ay, 0, 512);
    model.compile({ optimizer: attach(model, px, py), loss: 'meanSquaredError' });
    const data = tf.data.zip({ xs: tf.data.array(tf.unstack(ax)), ys: tf.data.array(tf.unstack(ay)) }).shuffle(rows, 'seed').batch(128);
    await model.fitDataset(data, { epochs: 20, verbose: 0 });
    model.dispose();
    tf.dispose([ax, ay, px, py]);
  },
};
let worstShare = 0;
for (const backend of ['wasm', 'cpu'] as const) {
  await useBackend(backend);
  for (const c of [irisCase(40), irisCase(200), abaloneCase]) {
    let session: ReturnType<typeof instrument>['kramers'] | undefined;
    const opt = tf.train.adam(0.01);
    await c.train((model, px, py) => {
      session = instrument(opt, { model, probe: { model, x: px, y: py }, plugins: [sharpness()] }).kramers;
      return opt;
    });
    const { trainMs, plugins } = session!.overhead();
    const sp = plugins[0]!;
    const afterWarmup = (sp.totalMs - sp.firstMs) / trainMs;
    worstShare = Math.max(worstShare, afterWarmup);
    const lm = session!.summary().metrics['sharpness/lambda_max'];
    console.log(
      `(e) ${backend} ${c.name}: training ${(trainMs / 1000).toFixed(2)} s, ${session!.iterations} steps; sharpness ${sp.runs} runs ` +
        `(last at step ${lm?.iteration}), warm-up ${sp.firstMs.toFixed(0)} ms, then ${(sp.totalMs - sp.firstMs).toFixed(0)} ms: ` +
        `${(afterWarmup * 100).toFixed(1)} % of training after the warm-up, ${((sp.totalMs / trainMs) * 100).toFixed(1)} % with it`,
    );
    session!.close();
    opt.dispose();
  }
}

console.log(
  `curvature: grad speedup ${gradSpeedup.toFixed(1)}x (target ≥4), hvp/grad ${hvpOverGrad.toFixed(2)} (target ≤2.5), ` +
    `lanczos ${lz.hvpCount} vs power ${pi.hvpCount} HVPs (target ≤40)${torchNote}, ` +
    `sharpness share of training after its warm-up ≤ ${(worstShare * 100).toFixed(1)} % (target ≤10)`,
);
