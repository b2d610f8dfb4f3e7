/**
 * The compare job: one MLP, one initialisation, trained side by side with several runs (optimizers, or the same
 * optimizer at other batch sizes and learning rates), all streaming into one bus so reporters see them together. Runs
 * with the same batch size share their minibatches in the same order (each batch is fed to all of them before the
 * next); runs of different batch sizes step in turn by progress through the epoch, so each epoch ends for every run
 * together. Each run is framed by run events: a start with what is run, an end with how it ended.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  basics,
  createMetricBus,
  createRng,
  eventLoopYielder,
  instrument,
  permutation,
  seedFor,
  type Instrumented,
  type KramersEvent,
} from '@kramers/core';
import { saveModel } from '@kramers/core/node';
import {
  applyStandardization,
  batchesPerEpoch,
  loadDataset,
  minibatches,
  standardize,
  toTensors,
  trainTestSplit,
  type Dataset,
} from '@kramers/datasets';
import { createOptimizer } from '@kramers/optimizers';
import { checkCompareOptions } from './check-compare-options.js';
import type { CompareOptions, CompareResult, RunResult, RunStatus } from './compare-options.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { buildMlp } from './mlp.js';
import { ModelSaveError } from './model-save-error.js';
import { findNonFiniteWeight } from './non-finite-weight.js';
import { resolveRuns, type ResolvedRun } from './run-spec.js';
import { runClock, type RunClock } from './run-clock.js';

interface Run {
  /** The run id. */
  readonly name: string;
  readonly spec: ResolvedRun;
  readonly stepsPerEpoch: number;
  readonly model: tf.Sequential;
  readonly optimizer: Instrumented<tf.Optimizer>;
  /** Its own training time: its measurement budget's base. */
  readonly clock: RunClock;
  status: RunStatus | 'running';
  closed: boolean;
  /** Set by the step hook when a minibatch loss is not finite. */
  nonFiniteLoss: boolean;
  final?: RunResult['final'];
}

export async function runCompare(options: CompareOptions): Promise<CompareResult> {
  const t0 = performance.now();
  const raw = typeof options.dataset === 'string' ? loadDataset(options.dataset) : options.dataset;
  checkCompareOptions(options, raw);
  const task = raw.task;
  const loss = task === 'classification' ? 'categoricalCrossentropy' : 'meanSquaredError';
  const split = splitData(raw, options);
  // Standardise with training statistics only, so the test set stays unseen.
  const { dataset: train, mean, std } = standardize(split.train);
  const test = applyStandardization(split.test, { mean, std });
  const outputs = train.task === 'classification' ? train.numClasses : train.targetCount;
  const trainT = toTensors(train);
  // The probe batch: the training loss the theory is about, on a fixed seeded subset so every run sees the same rows.
  const probeIndices = permutation(train.rows, createRng(seedFor(options.seed, 'probe'))).slice(0, Math.min(options.probeSize, train.rows));
  const probeT = toTensors(train, probeIndices);
  const testT = toTensors(test);
  const bus = options.bus ?? createMetricBus();
  const spec = { inputs: train.cols, hidden: options.hidden, outputs, output: task === 'classification' ? 'softmax' : 'linear', seed: options.seed } as const;
  const initial = buildMlp(spec);
  const initialWeights = initial.getWeights().map((w) => w.clone());
  const parameters = initial.countParams();
  initial.dispose();

  const dropLast = options.dropLast ?? false;
  const diffusion = options.diffusion ?? 1e-4;
  const runs: Run[] = resolveRuns(options).map((run) => {
    const model = buildMlp(spec);
    model.setWeights(initialWeights);
    const stepsOfRun = batchesPerEpoch(train.rows, run.batchSize, dropLast);
    const clock = runClock();
    const optimizer = instrument(createOptimizer(run.optimizer, { learningRate: run.learningRate, diffusion, seed: options.seed }), {
      runId: run.id,
      bus,
      model,
      batchSize: run.batchSize,
      // The runs take turns: each one's measurement budget is a share of its own steps' time, not of the wall clock.
      clock: clock.read,
      probe: { model, x: probeT.x, y: probeT.y, loss },
      plugins: [
        basics({ perLayer: true }),
        ...(options.plugins?.(run.optimizer, { stepsPerEpoch: stepsOfRun, trainRows: train.rows, runId: run.id, batchSize: run.batchSize }) ?? []),
      ],
    });
    model.compile({ optimizer, loss });
    return {
      name: run.id, spec: run, stepsPerEpoch: stepsOfRun, model, optimizer: optimizer as Instrumented<tf.Optimizer>, clock,
      status: 'running', closed: false, nonFiniteLoss: false,
    };
  });
  const stepsPerEpoch = runs[0]!.stepsPerEpoch;
  tf.dispose(initialWeights);
  for (const run of runs) {
    run.optimizer.kramers.step$.subscribe((s) => {
      if (s.loss !== undefined && !Number.isFinite(s.loss)) run.nonFiniteLoss = true;
      options.onStep?.(s.runId, s.iteration, s.loss);
    });
  }

  const summary: CompareResult['dataset'] = {
    name: raw.name,
    trainRows: train.rows,
    testRows: test.rows,
    features: train.cols,
    ...(train.task === 'classification' ? { classes: train.numClasses } : { targets: train.targetCount }),
  };
  const modelSummary = { layers: [train.cols, ...options.hidden, outputs], parameters };
  const configOf = (run: Run) => ({ ...(run.optimizer.getConfig() as Record<string, unknown>), batchSize: run.spec.batchSize });
  const lastIteration = (run: Run) => run.optimizer.kramers.iterations - 1;
  const publish = (run: Run, name: string, value: number): void => {
    bus.next({ kind: 'metric', runId: run.name, iteration: lastIteration(run), plugin: 'evaluate', name, value, wallTime: Date.now() });
  };
  const names = task === 'classification' ? { train: 'train_loss', test: 'test_loss' } : { train: 'train_mse', test: 'test_mse' };
  const evaluateRun = (run: Run): { tr: Evaluation; te: Evaluation } => {
    const tr = evaluate(run.model, trainT.x, trainT.y, task);
    const te = evaluate(run.model, testT.x, testT.y, task);
    publish(run, names.train, tr.loss);
    if (tr.accuracy !== undefined) publish(run, 'train_accuracy', tr.accuracy);
    publish(run, names.test, te.loss);
    if (te.accuracy !== undefined) publish(run, 'test_accuracy', te.accuracy);
    return { tr, te };
  };
  const close = (run: Run): void => {
    if (run.closed) return;
    run.closed = true;
    run.optimizer.kramers.close();
  };
  const finish = (run: Run, status: RunStatus, evaluation = evaluateRun(run)): void => {
    const { tr, te } = evaluation;
    run.status = status;
    // Closing first lets plugins publish what they measure at the end, so the end event is the run's last.
    close(run);
    run.final = {
      status,
      loss: tr.loss,
      testLoss: te.loss,
      ...(tr.accuracy !== undefined ? { accuracy: tr.accuracy, testAccuracy: te.accuracy! } : {}),
      iterations: run.optimizer.kramers.iterations,
    };
    const event: KramersEvent = {
      kind: 'run', runId: run.name, iteration: lastIteration(run), phase: 'end',
      info: { status, final: run.final, elapsedMs: Math.round(performance.now() - t0) },
      wallTime: Date.now(),
    };
    bus.next(event);
  };
  // Non-finite weights or loss: the run cannot recover, so it stops here rather than print a stale finite loss.
  const divergedNow = (run: Run, trainLoss?: number): boolean =>
    run.nonFiniteLoss || (trainLoss !== undefined && !Number.isFinite(trainLoss)) || findNonFiniteWeight(run.model) !== undefined;

  const aborted = () => options.signal?.aborted === true;
  const maybeYield = eventLoopYielder(options.yieldEveryMs ?? 25);
  try {
    for (const run of runs) {
      const start: KramersEvent = {
        kind: 'run', runId: run.name, iteration: -1, phase: 'start',
        info: {
          optimizer: run.spec.optimizer, config: configOf(run), task, loss, dataset: summary, model: modelSummary,
          seed: options.seed, epochs: options.epochs, stepsPerEpoch: run.stepsPerEpoch, probeRows: probeIndices.length, ...options.runInfo,
        },
        wallTime: Date.now(),
      };
      bus.next(start);
    }
    options.onStart?.(stepsPerEpoch, runs.map((run) => ({ id: run.name, stepsPerEpoch: run.stepsPerEpoch })));
    const running = () => runs.filter((run) => run.status === 'running');
    // Runs of one batch size share a batch stream: the same rows in the same order, as one batch size always did.
    const groups = [...new Set(runs.map((run) => run.spec.batchSize))].map((batchSize) => ({
      batchSize,
      runs: runs.filter((run) => run.spec.batchSize === batchSize),
    }));
    training: for (let epoch = 0; epoch < options.epochs; epoch++) {
      const streams = groups.map((group) => ({
        ...group,
        batches: [...minibatches(train, { batchSize: group.batchSize, seed: options.seed, epoch, dropLast })],
        done: 0,
      }));
      for (;;) {
        // The stream furthest behind in its epoch steps next (ties in run order), so all runs advance together.
        const next = streams
          .filter((s) => s.done < s.batches.length)
          .reduce<(typeof streams)[number] | undefined>((best, s) => (best === undefined || s.done / s.batches.length < best.done / best.batches.length ? s : best), undefined);
        if (next === undefined) break;
        const { x, y } = toTensors(train, next.batches[next.done++]!);
        try {
          for (const run of next.runs.filter((r) => r.status === 'running')) {
            await run.clock.time(() => run.model.trainOnBatch(x, y));
            if (run.nonFiniteLoss) finish(run, 'diverged');
            // Timers (progress redraws, log flushes) and signal handlers run here; training holds the loop otherwise.
            await maybeYield();
            if (aborted()) break training;
          }
        } finally {
          tf.dispose([x, y]);
        }
        if (running().length === 0) break training;
      }
      for (const run of running()) {
        const evaluation = evaluateRun(run);
        if (divergedNow(run, evaluation.tr.loss)) finish(run, 'diverged', evaluation);
        else if (epoch === options.epochs - 1) finish(run, 'completed', evaluation);
      }
    }
    for (const run of running()) finish(run, aborted() ? 'interrupted' : divergedNow(run) ? 'diverged' : 'completed');

    const saved = new Map<string, string>();
    if (options.saveModels !== undefined && !aborted()) {
      for (const run of runs) {
        const path = join(options.saveModels, run.name, 'model.json');
        // saveModel keeps the compiled model's training config, so the loss it was trained on travels with it.
        await saveModel(run.model, path).catch((err: unknown) => {
          const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
          throw new ModelSaveError(path, cause instanceof Error ? cause.message : String(cause), { cause: err });
        });
        saved.set(run.name, path);
      }
    }
    return {
      task,
      loss,
      dataset: summary,
      model: modelSummary,
      stepsPerEpoch,
      probeRows: probeIndices.length,
      runs: runs.map((run) => ({
        id: run.name,
        optimizer: run.spec.optimizer,
        batchSize: run.spec.batchSize,
        learningRate: run.spec.learningRate,
        stepsPerEpoch: run.stepsPerEpoch,
        config: configOf(run),
        final: run.final!,
        ...(saved.has(run.name) ? { savedModel: saved.get(run.name)! } : {}),
      })),
      interrupted: aborted(),
      elapsedMs: performance.now() - t0,
    };
  } finally {
    for (const run of runs) {
      close(run);
      run.model.dispose();
      run.optimizer.dispose();
    }
    tf.dispose([trainT.x, trainT.y, probeT.x, probeT.y, testT.x, testT.y]);
  }
}

function splitData(data: Dataset, options: CompareOptions) {
  const { testFraction, seed } = options;
  // Stratified for classes, so each class keeps its share in both parts; a regression set is split plainly.
  return data.task === 'classification'
    ? trainTestSplit(data, { testFraction, seed, stratify: true })
    : trainTestSplit(data, { testFraction, seed });
}
