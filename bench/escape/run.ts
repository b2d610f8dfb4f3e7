/**
 * What the replica ensemble buys, and what the whole figure costs.
 *   (a) Same work two ways, side by side in one process: R = 100 replicas × 2000 iterations on 10-D Styblinski–Tang
 *       (loss × 0.01, started at the global minimum), as one ensemble of 100 rows, and as 100 ensembles of one row
 *       each (firstReplica = r, so replica r draws the same stream either way). SGD with frozen gradient noise
 *       N(0, H(θ_a)/B), then Adam under the same noise. The final positions of both ways must agree bit for bit
 *       (every op is row-wise); the bench throws if they do not. Target: ensemble ≥ 20× faster than the loop.
 *   (b) Optional (`--full`): `kramers reproduce styblinski-tang --workers 2` end to end, the built CLI spawned with its
 *       output in a temporary folder. Target: under 15 minutes on 2 cores. It takes minutes, so it runs by default only
 *       under `npm run bench:escape` (the dedicated script); `npx tsx bench/escape/run.ts` and `npm run bench` skip it
 *       unless given `--full`, and `--no-full` always skips it.
 *   (c) Model ensembles (model-ensemble.ts): 100 MLPs on banknote as one batched program vs 100 tfjs models. Target ≥ 10×.
 *   With `--full`, `kramers reproduce banknote --workers 2` too (target under 20 minutes).
 * Rounds are interleaved (which way goes first alternates) and summarised by medians. Run after building:
 * `npx tsc -b && npx tsx bench/escape/run.ts [rounds] [--full]`; `BACKEND=cpu` for cpu. The last line is the summary.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '@kramers/core';
import { styblinskiTang, styblinskiTangMinimum } from '@kramers/datasets';
import { createEnsemble, type GradientNoise, type ReplicaOptimizer } from '@kramers/replicas';
import { measureModelEnsemble } from './model-ensemble.js';

const args = process.argv.slice(2);
const ROUNDS = Number(args.find((a) => /^\d+$/.test(a)) ?? 3);
const FULL = args.includes('--no-full') ? false : args.includes('--full') || process.env.npm_lifecycle_event === 'bench:escape';
const REPLICAS = 100;
const ITERATIONS = 2000;
const SEED = 7;
const backend = await useBackend((process.env.BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm');

const landscape = styblinskiTang({ dim: 10, k: 1, scale: 0.01 });
const start = styblinskiTangMinimum(landscape, 'global');
const noise: GradientNoise = { kind: 'frozen', batchSize: 1, at: start };

const median = (a: readonly number[]): number => {
  const s = [...a].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** R rows as one ensemble (`replicas: R`) or R ensembles of one row; returns the final positions, rows by id. */
function run(optimizer: ReplicaOptimizer, way: 'ensemble' | 'loop', iterations: number): Float32Array {
  const out = new Float32Array(REPLICAS * landscape.dim);
  const groups = way === 'ensemble' ? [{ first: 0, size: REPLICAS }] : Array.from({ length: REPLICAS }, (_, r) => ({ first: r, size: 1 }));
  for (const { first, size } of groups) {
    const e = createEnsemble({ landscape, optimizer, noise, replicas: size, seed: SEED, start, firstReplica: first });
    for (let i = 0; i < iterations; i++) e.step();
    out.set(e.positions(), first * landscape.dim);
    e.dispose();
  }
  return out;
}

function sameBits(a: Float32Array, b: Float32Array): { equal: boolean; differing: number } {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let differing = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) differing++;
  return { equal: differing === 0 && a.length === b.length, differing };
}

interface Measured {
  readonly name: string;
  readonly ensembleMs: number;
  readonly loopMs: number;
  readonly ratio: number;
}

function measure(name: string, optimizer: ReplicaOptimizer): Measured {
  // Warm-up: compiles the wasm kernels and sizes the tensor pools for both shapes.
  run(optimizer, 'ensemble', 50);
  run(optimizer, 'loop', 5);
  const before = tf.memory().numTensors;
  const ensembleMs: number[] = [];
  const loopMs: number[] = [];
  let ensembleFinal: Float32Array | undefined;
  let loopFinal: Float32Array | undefined;
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['ensemble', 'loop'] as const) : (['loop', 'ensemble'] as const);
    for (const way of order) {
      const t0 = performance.now();
      const final = run(optimizer, way, ITERATIONS);
      const ms = performance.now() - t0;
      if (way === 'ensemble') {
        ensembleMs.push(ms);
        ensembleFinal = final;
      } else {
        loopMs.push(ms);
        loopFinal = final;
      }
    }
  }
  if (tf.memory().numTensors !== before) throw new Error(`${name}: tensor count grew from ${before} to ${tf.memory().numTensors}`);
  // Identical but unmoved rows would prove nothing: the noise must have carried every replica off the minimum.
  const still = ensembleFinal!.filter((v, i) => v === Math.fround(start[i % landscape.dim]!)).length;
  if (still > 0) throw new Error(`${name}: ${still} coordinates never left the start; the comparison would be vacuous`);
  const bits = sameBits(ensembleFinal!, loopFinal!);
  if (!bits.equal) {
    throw new Error(`${name}: final positions differ between the ensemble and the loop in ${bits.differing} of ${ensembleFinal!.length} coordinates`);
  }
  const e = median(ensembleMs);
  const l = median(loopMs);
  const work = REPLICAS * ITERATIONS;
  console.log(
    `${name.padEnd(5)} ensemble ${e.toFixed(0)} ms (${((e / ITERATIONS) * 1000).toFixed(1)} µs an iteration of ${REPLICAS} rows, ` +
      `${((e / work) * 1e6).toFixed(0)} ns a replica-step); loop ${l.toFixed(0)} ms (${((l / work) * 1000).toFixed(1)} µs a replica-step); ` +
      `loop/ensemble ${(l / e).toFixed(1)}×; final positions identical bit for bit (${ensembleFinal!.length} floats)`,
  );
  return { name, ensembleMs: e, loopMs: l, ratio: l / e };
}

/** `kramers reproduce <figure> --workers 2` with the built CLI; wall time in seconds. */
async function fullReproduce(figure: 'styblinski-tang' | 'banknote'): Promise<number> {
  const bin = fileURLToPath(new URL('../../packages/cli/bin/kramers.js', import.meta.url));
  if (!existsSync(bin)) throw new Error(`${bin} is missing; build first: npx tsc -b`);
  const out = mkdtempSync(join(tmpdir(), 'kramers-bench-escape-'));
  try {
    const t0 = performance.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, 'reproduce', figure, '--workers', '2', '--out', out], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('error', reject);
      child.on('exit', (c) => resolve(c));
    });
    const seconds = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`kramers reproduce exited with ${String(code)}`);
    const doc = JSON.parse(readFileSync(join(out, `${figure}.json`), 'utf8')) as { jobs: number; panels: unknown[] };
    console.log(`full reproduce ${figure}: ${doc.jobs} experiments, ${doc.panels.length} panels, ${seconds.toFixed(0)} s wall on 2 worker threads`);
    return seconds;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

console.log(
  `backend ${backend}, tfjs ${tf.version.tfjs}: 10-D Styblinski–Tang (loss × 0.01), frozen noise H(θ_a)/B, B = 1; ` +
    `${REPLICAS} replicas × ${ITERATIONS} iterations, ensemble vs one replica at a time; ${ROUNDS} rounds; full reproduce ${FULL ? 'on' : 'off (--full to run it)'}`,
);
const sgd = measure('SGD', { name: 'sgd', learningRate: 0.5 });
const adam = measure('Adam', { name: 'adam', learningRate: 0.2 });
const mlpSgd = await measureModelEnsemble({ name: 'sgd', learningRate: 0.1 }, 300);
const mlpAdam = await measureModelEnsemble({ name: 'adam', learningRate: 0.01 }, 300);
const full = FULL ? await fullReproduce('styblinski-tang') : null;
const fullBanknote = FULL ? await fullReproduce('banknote') : null;
console.log(
  `ensemble/loop: SGD ${sgd.ratio.toFixed(0)}×, Adam ${adam.ratio.toFixed(0)}× (target ≥ 20×); ` +
    `MLP ensemble/100 tfjs models: SGD ${mlpSgd.ratio.toFixed(0)}×, Adam ${mlpAdam.ratio.toFixed(0)}× (target ≥ 10×); ` +
    (full === null
      ? 'full reproduce skipped (--full to run it; targets styblinski-tang < 900 s, banknote < 1200 s)'
      : `full reproduce styblinski-tang ${full.toFixed(0)} s (target < 900 s), banknote ${fullBanknote!.toFixed(0)} s (target < 1200 s)`),
);
