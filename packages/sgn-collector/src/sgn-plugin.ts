/**
 * The `sgn` plugin: stochastic gradient noise during training, in two parts.
 * - Every step, cheaply: the gradient noise scale B_simple = tr Σ/|G|² (McCandlish et al. 2018; docs/theory.md §7)
 *   streamed from the training minibatch gradients themselves (two batch sizes: this step's and the last k steps'
 *   together, bias-corrected EMAs), and the critical batch size it implies.
 * - At the probe's rows, on its own budget and whenever the `Sharpness` service has fresh eigenvectors: per-example
 *   gradients (one pass for dense chains), tr C with C = Σ/B, the noise along each served Hessian direction against
 *   λ/B (C ≈ H/B near a minimum, Xie, Sato & Sugiyama 2021, §2), minibatch noise per direction tested for
 *   Gaussianity and pooled across parameters for the tail index (their Figure 1 against Şimşekli et al. 2019), the
 *   noise scale at a fixed θ, and the signal-to-noise ratio per layer.
 * Its latest results are served under the `Sgn` token (the escape plugins read C along escape directions from it).
 */
import {
  budget,
  createRng,
  definePlugin,
  every,
  isDue,
  layerOf,
  seedFor,
  serviceToken,
  type CostState,
  type FlatLayoutEntry,
  type Plugin,
  type ProbeContext,
  type Schedule,
  type StepContext,
} from '@kramers/core';
import { Sharpness, type SharpnessSnapshot } from '@kramers/hvp-estimator';
import { createGradientWindow, type GradientWindow } from './gradient-window.js';
import { DEFAULT_EIGENVALUE_THRESHOLD, hessianNoiseFit, type HessianNoiseFit } from './hessian-fit.js';
import { minibatchNoiseAlong, minibatchNoiseVectors } from './minibatch-noise.js';
import { directionGaussianity, pooledGaussianity, type PooledTailIndex } from './noise-gaussianity.js';
import { noiseAlong, noiseCovariance } from './noise-covariance.js';
import { finitePopulationNorms, simpleNoiseScale } from './noise-scale.js';
import { createNoiseScaleTracker, type NoiseScaleTracker } from './noise-scale-tracker.js';
import { perExampleGradients } from './per-example-gradients.js';
import { sampledNoise } from './sampled-noise.js';
import { signalToNoise } from './signal-to-noise.js';

export interface SgnConfig {
  /** k: minibatch gradients whose mean is the streaming estimate's big batch (B_big = k·B; default 10). */
  readonly window: number;
  /** EMA decay of the streaming estimate (default 0.99). */
  readonly beta: number;
  /** Emit the streaming noise scale every this many steps (default 10). */
  readonly emitEvery: number;
  /**
   * N, the training set's rows: fit draws an epoch's minibatches without replacement, which biases the streaming
   * B_simple up by about B_simple/N; with N it is corrected. Without it, nothing is corrected.
   */
  readonly datasetSize?: number;
  /** B in C = Σ/B at the probe (default: the largest observed training batch size; an epoch's last batch may be smaller). */
  readonly batchSize?: number;
  /** Measure at the probe's rows (needs `probe`; default true). */
  readonly atProbe: boolean;
  /** 'exact' (per-example gradients), 'sampled' (K minibatches), or 'auto': exact while the m × n matrix fits. */
  readonly mode: 'auto' | 'exact' | 'sampled';
  /** The exact path's memory cap in bytes for the per-example matrix (default 256 MiB). */
  readonly maxExactBytes: number;
  /** K minibatches in the sampled path (default 200). */
  readonly samples: number;
  /** Minibatches drawn per direction for its Gaussianity (default 500: a kurtosis standard error of about 0.2). */
  readonly gaussianitySamples: number;
  /** Minibatch noise vectors pooled across parameters for the pooled tail index (default 25, i.e. 25·n values). */
  readonly pooledSamples: number;
  readonly seed: number;
}

export interface SgnOptions extends Partial<SgnConfig> {
  /**
   * When the probe part may run (default `budget(0.05, { perDecade: 10, maxGap: 100 })`: within 5 % of the session's
   * time, counted for this part alone). With a `sharpness` plugin in the session it runs only on steps where that
   * plugin has a fresh snapshot (and the schedule allows); without one, whenever the schedule allows.
   */
  readonly probeSchedule?: Schedule;
}

/** One direction at the probe: the Hessian's eigenvalue, the noise along it, and how Gaussian it is. */
export interface SgnDirection {
  readonly eigenvalue: number;
  /** uᵀCu. */
  readonly noiseVariance: number;
  /** uᵀCu / (λ/B): 1 where C = H/B holds exactly along u. */
  readonly ratioToHessian: number;
  /** Excess kurtosis of minibatch noise along u (0 for a Gaussian). */
  readonly kurtosis: number;
  /** D'Agostino–Pearson normality p-value (NaN when there were too few samples). */
  readonly pValue: number;
  /** Tail index α̂ (2 for a Gaussian, < 2 heavy-tailed). */
  readonly tailIndex: number;
}

export interface SgnAtProbe {
  readonly iteration: number;
  readonly mode: 'exact' | 'sampled';
  readonly batchSize: number;
  readonly rows: number;
  readonly traceC: number;
  readonly traceCStderr?: number;
  /** Directions of the sharpness snapshot measured (empty without one). */
  readonly directions: readonly SgnDirection[];
  /** The served eigenvectors, in the same order as `directions` (for consumers that project on them). */
  readonly eigenvectors: readonly Float64Array[];
  readonly fit: HessianNoiseFit | null;
  /** Şimşekli et al.'s pooled tail index, and the same without parameters that have no noise at all. */
  readonly pooled: PooledTailIndex | undefined;
  /** B_simple at this θ from the probe's per-example gradients (exact path only). */
  readonly noiseScale: number | undefined;
}

export interface SgnSnapshot {
  /** The streaming noise scale and the iteration it was read at. */
  readonly streaming: { readonly iteration: number; readonly bSimple: number | undefined };
  /** The latest measurement at the probe's rows. */
  readonly atProbe: SgnAtProbe | undefined;
  /** The best current estimate of B_crit: the fixed-θ one when there is one, else the streaming one. */
  readonly criticalBatchSize: number | undefined;
}

export interface SgnService {
  latest(): SgnSnapshot;
}

export const Sgn = serviceToken<SgnService>('sgn-collector/sgn');

export const SGN_DEFAULTS = {
  window: 10,
  beta: 0.99,
  emitEvery: 10,
  atProbe: true,
  mode: 'auto',
  maxExactBytes: 256 * 1024 * 1024,
  samples: 200,
  gaussianitySamples: 500,
  pooledSamples: 25,
  seed: 0,
} as const;

const schema = {
  type: 'object',
  properties: {
    window: { type: 'integer', minimum: 2, default: SGN_DEFAULTS.window },
    beta: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: SGN_DEFAULTS.beta },
    emitEvery: { type: 'integer', minimum: 1, default: SGN_DEFAULTS.emitEvery },
    datasetSize: { type: 'integer', minimum: 1 },
    batchSize: { type: 'integer', minimum: 1 },
    atProbe: { type: 'boolean', default: SGN_DEFAULTS.atProbe },
    mode: { type: 'string', enum: ['auto', 'exact', 'sampled'], default: SGN_DEFAULTS.mode },
    maxExactBytes: { type: 'integer', minimum: 1, default: SGN_DEFAULTS.maxExactBytes },
    samples: { type: 'integer', minimum: 2, default: SGN_DEFAULTS.samples },
    gaussianitySamples: { type: 'integer', minimum: 2, default: SGN_DEFAULTS.gaussianitySamples },
    pooledSamples: { type: 'integer', minimum: 1, default: SGN_DEFAULTS.pooledSamples },
    seed: { type: 'integer', default: SGN_DEFAULTS.seed },
  },
  additionalProperties: false,
} as const;

type MutableCost = { -readonly [K in keyof CostState]: CostState[K] };

/** Per-layer blocks of the flat vector: a layer's variables (kernel, bias) sit next to each other in probe order. */
function layerBlocks(probe: ProbeContext): FlatLayoutEntry[] {
  const blocks: FlatLayoutEntry[] = [];
  let offset = 0;
  for (const v of probe.variables) {
    const name = layerOf(v.name);
    const last = blocks[blocks.length - 1];
    if (last && last.name === name && last.offset + last.size === offset) blocks[blocks.length - 1] = { ...last, size: last.size + v.size };
    else blocks.push({ name, offset, size: v.size });
    offset += v.size;
  }
  return blocks;
}

export function sgn(options: SgnOptions = {}): Plugin<SgnConfig, SgnService> {
  const { probeSchedule, ...config } = options;
  const atProbe = options.atProbe ?? SGN_DEFAULTS.atProbe;
  return definePlugin<SgnConfig, SgnService>({
    name: 'sgn',
    configSchema: schema,
    config,
    schedule: every(1),
    needs: atProbe ? ['probe'] : [],
    provides: Sgn,
    uses: [Sharpness],
    setup(ctx) {
      const c = ctx.config;
      const measureSchedule = probeSchedule ?? budget(0.05, { perDecade: 10, maxGap: 100 });
      const tracker = createNoiseScaleTracker({ beta: c.beta });
      let streaming: SgnSnapshot['streaming'] = { iteration: -1, bSimple: undefined };
      let probed: SgnAtProbe | undefined;
      let into: Float32Array | undefined;
      let layout: FlatLayoutEntry[] | undefined;
      let sharpnessSeen = -1;
      let batchSize: number | undefined = c.batchSize;
      // The probe part's own cost, so its schedule keeps it within its share of training time.
      const cost: MutableCost = { lastRun: undefined, runs: 0, pluginMs: 0, firstMs: 0, lastMs: 0, trainMs: 0 };
      const best = (): number | undefined => probed?.noiseScale ?? streaming.bSimple;

      // One window and one tracker per layer: squared norms add across layers, so the model's totals come from
      // their sums, and each layer's B_simple gives its signal-to-noise B/B_simple,l = |G_l|²/(tr Σ_l/B).
      let layers: { name: string; window: GradientWindow; tracker: NoiseScaleTracker; buffer: Float32Array; filled: number }[] = [];
      let variables = 0;
      const total = { smallBatch: 0, smallNormSq: 0, bigBatch: 0, bigNormSq: 0 };
      const stream = (step: StepContext): void => {
        const grads = step.gradientValues();
        const b = step.step.batchSize;
        if (b === undefined || grads.size === 0) return;
        if (variables !== grads.size) {
          const byLayer = new Map<string, number>();
          for (const [name, g] of grads) byLayer.set(layerOf(name), (byLayer.get(layerOf(name)) ?? 0) + g.length);
          layers = [...byLayer].map(([name, size]) => ({
            name,
            window: createGradientWindow({ size, steps: c.window }),
            tracker: createNoiseScaleTracker({ beta: c.beta }),
            buffer: new Float32Array(size),
            filled: 0,
          }));
          variables = grads.size;
        }
        for (const l of layers) l.filled = 0;
        // gradients arrive kernel then bias per layer; copy each into its layer's reused buffer
        for (const [name, g] of grads) {
          const l = layers.find((x) => x.name === layerOf(name))!;
          l.buffer.set(g, l.filled);
          l.filled += g.length;
        }
        total.smallNormSq = 0;
        total.bigNormSq = 0;
        let complete = true;
        for (const l of layers) {
          const norms = l.window.push(l.buffer, b);
          if (!norms) {
            complete = false;
            continue;
          }
          total.smallBatch = norms.smallBatch;
          total.bigBatch = norms.bigBatch;
          total.smallNormSq += norms.smallNormSq;
          total.bigNormSq += norms.bigNormSq;
          const corrected = c.datasetSize === undefined ? norms : finitePopulationNorms(norms, c.datasetSize);
          if (corrected) l.tracker.observe(corrected);
        }
        if (!complete) return;
        const corrected = c.datasetSize === undefined ? total : finitePopulationNorms(total, c.datasetSize);
        if (corrected) tracker.observe(corrected);
        if (step.iteration % c.emitEvery === 0) {
          const bSimple = tracker.estimate().bSimple;
          streaming = { iteration: step.iteration, bSimple };
          if (bSimple !== undefined) step.emit('noise_scale', bSimple);
          const crit = best();
          if (crit !== undefined) step.emit('critical_batch_size', crit);
          for (const l of layers) {
            const layerScale = l.tracker.estimate().bSimple;
            if (layerScale !== undefined && layerScale > 0) step.emit('grad_snr', b / layerScale, { layer: l.name });
          }
        }
      };

      const measure = (step: Pick<StepContext, 'iteration' | 'probe' | 'emit' | 'has' | 'get'>, snapshot: SharpnessSnapshot | undefined): void => {
        const probe = step.probe!;
        const B = batchSize;
        if (B === undefined || probe.rows < 2 || B > probe.rows) return;
        layout ??= layerBlocks(probe);
        const rng = createRng(seedFor(c.seed, step.iteration));
        const eigenvalues = snapshot?.eigenvalues ?? [];
        const vectors = snapshot?.eigenvectors ?? [];
        const exact = c.mode === 'exact' || (c.mode === 'auto' && probe.rows * probe.size * 4 <= c.maxExactBytes);
        let traceC: number;
        let traceCStderr: number | undefined;
        let noiseVariances: number[];
        let samplesAlong: Float64Array[];
        let pooled: PooledTailIndex | undefined;
        let noiseScale: number | undefined;
        if (exact) {
          const rows = probe.rows;
          if (into?.length !== rows * probe.size) into = new Float32Array(rows * probe.size);
          const perExample = perExampleGradients(probe, { into });
          const cov = noiseCovariance(perExample, B);
          const along = noiseAlong(cov, vectors);
          traceC = cov.traceC;
          noiseVariances = along.map((d) => d.noiseVariance);
          samplesAlong = along.map((d) => minibatchNoiseAlong(d.projections, B, c.gaussianitySamples, rng));
          pooled = pooledGaussianity(minibatchNoiseVectors(perExample, cov.mean, B, c.pooledSamples, rng));
          // B_simple = tr Σ/|G|² with the probe rows as the whole population (McCandlish et al. 2018, eq. 2.7): both
          // are in the covariance already, so no further pass over the matrix
          let g2 = 0;
          for (const v of cov.mean) g2 += v * v;
          noiseScale = simpleNoiseScale(g2, cov.traceSigma).bSimple;
          const snr = signalToNoise({ kind: 'per-example', gradients: perExample, wholeDataset: true }, layout, B);
          if (snr.total.snr !== undefined) step.emit('grad_snr_at_probe', snr.total.snr);
          for (const l of snr.layers) if (l.snr !== undefined) step.emit('grad_snr_at_probe', l.snr, { layer: l.name });
        } else {
          const s = sampledNoise(probe, { batchSize: B, samples: c.samples, seed: seedFor(c.seed, step.iteration), directions: vectors, keepNoise: true });
          traceC = s.traceC.estimate;
          traceCStderr = s.traceC.stderr;
          noiseVariances = s.directions.map((d) => d.noiseVariance.estimate);
          samplesAlong = s.directions.map((d) => Float64Array.from(d.minibatchNoise));
          pooled = s.noise ? pooledGaussianity({ rows: s.noise.rows, size: s.noise.size, values: Float32Array.from(s.noise.values) }) : undefined;
        }
        const directions: SgnDirection[] = eigenvalues.map((eigenvalue, k) => {
          const g = directionGaussianity(samplesAlong[k]!);
          return {
            eigenvalue,
            noiseVariance: noiseVariances[k]!,
            ratioToHessian: noiseVariances[k]! / (eigenvalue / B),
            kurtosis: g.kurtosis ?? Number.NaN,
            pValue: g.pValue ?? Number.NaN,
            tailIndex: g.tailIndex ?? Number.NaN,
          };
        });
        const fit =
          directions.length > 1
            ? hessianNoiseFit(directions.map((d) => ({ eigenvalue: d.eigenvalue, noiseVariance: d.noiseVariance })), B, DEFAULT_EIGENVALUE_THRESHOLD)
            : null;
        probed = {
          iteration: step.iteration,
          mode: exact ? 'exact' : 'sampled',
          batchSize: B,
          rows: probe.rows,
          traceC,
          ...(traceCStderr === undefined ? {} : { traceCStderr }),
          directions,
          eigenvectors: vectors,
          fit,
          pooled,
          noiseScale,
        };
        step.emit('trace_C', traceC, traceCStderr === undefined ? undefined : { uncertainty: { stderr: traceCStderr } });
        if (noiseScale !== undefined) {
          step.emit('noise_scale_at_probe', noiseScale);
          step.emit('critical_batch_size', noiseScale);
        }
        if (pooled?.alpha != null) step.emit('pooled_tail_index', pooled.alpha);
        // Parameters with no noise at all (a constant input's weights, dead ReLUs) enter the pooled series as zeros,
        // which the estimator reads as a heavy tail: the index without them says how much of it is noise.
        if (pooled?.alphaExcludingZeros != null) step.emit('pooled_tail_index_with_noise', pooled.alphaExcludingZeros);
        if (directions.length > 0) {
          const labels = directions.map((_, k) => `u_${k + 1}`);
          const vector = (values: number[]) => ({ kind: 'vector' as const, values, labels });
          step.emit('noise_variance', vector(directions.map((d) => d.noiseVariance)));
          step.emit('noise_to_hessian', vector(directions.map((d) => d.ratioToHessian)));
          step.emit('direction_kurtosis', vector(directions.map((d) => d.kurtosis)));
          step.emit('direction_normality_p', vector(directions.map((d) => d.pValue)));
          step.emit('direction_tail_index', vector(directions.map((d) => d.tailIndex)));
        }
        if (fit?.slope != null) step.emit('noise_hessian_slope', fit.slope);
        if (fit?.pearson != null) step.emit('noise_hessian_pearson', fit.pearson);
      };

      const maybeMeasure = (step: StepContext | (Pick<StepContext, 'iteration' | 'probe' | 'emit' | 'has' | 'get'> & { final: true })): void => {
        if (!c.atProbe || !step.probe?.ready) return;
        // With a sharpness plugin in the session, measure right after its snapshots (the noise along its fresh
        // eigenvectors is what is worth having), as often as this part's own budget allows; without one, on the budget.
        const withSharpness = step.has(Sharpness);
        const snapshot = withSharpness ? step.get(Sharpness).latest() : undefined;
        const fresh = snapshot !== undefined && snapshot.iteration !== sharpnessSeen;
        const final = 'final' in step;
        if (!final && ((withSharpness && !fresh) || !isDue(measureSchedule, step.iteration, cost))) return;
        const t0 = performance.now();
        measure(step, snapshot);
        if (snapshot) sharpnessSeen = snapshot.iteration;
        const ms = performance.now() - t0;
        if (cost.runs === 0) cost.firstMs = ms;
        cost.lastMs = ms;
        cost.pluginMs += ms;
        cost.lastRun = step.iteration;
        cost.runs++;
      };

      return {
        service: { latest: () => ({ streaming, atProbe: probed, criticalBatchSize: best() }) },
        onStep(step) {
          const observed = step.step.batchSize;
          if (c.batchSize === undefined && observed !== undefined) batchSize = Math.max(batchSize ?? 0, observed);
          // the training time the probe part's budget is a share of: elapsed time less this part's own
          cost.trainMs = Math.max(0, step.step.elapsedMs - cost.pluginMs);
          stream(step);
          maybeMeasure(step);
        },
        onTrainEnd(end) {
          // the streaming part ran at the last step, but the probe part may not have
          if (probed?.iteration !== end.iteration) maybeMeasure({ ...end, final: true });
        },
      };
    },
  });
}

