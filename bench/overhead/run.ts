/**
 * What instrumenting costs: `model.fit` (3 epochs) plain vs instrumented, on banknote (4-16-16-2, batch 32, a 0.5 ms
 * step) and digits (64-32-10, batch 64), interleaved in one process (the order rotates each round) so machine
 * noise hits every variant alike. Variants: plain; `instrument(opt, { model })` with no plugins (the wrappers, the
 * fit callback and its event-loop yields every 25 ms); and `basics` on every step. Prints the median of per-round
 * ratios, kramers' self-measured µs per step, and on its last line the basics/plain ratio per model. Targets: ≤ 1.05
 * on banknote, ≤ 1.03 on digits.
 *
 * BASELINE=<another build's packages/core/dist/index.js> adds a fourth variant, `basics` from that build, interleaved
 * with the others in the same process: on a loaded machine two separate runs are not comparable, one run is. Build the
 * other version in a git worktree (`git worktree add /tmp/base <commit>`, then `npx tsc -b packages/core` there).
 */
import * as tf from '@tensorflow/tfjs';
import * as core from '@kramers/core';
import { loadDataset, standardize, toTensors, type DatasetName } from '@kramers/datasets';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const { basics, instrument, useBackend } = core;
type Core = Pick<typeof core, 'basics' | 'instrument'>;
const baselinePath = process.env.BASELINE;
const baseline: Core | undefined = baselinePath ? ((await import(pathToFileURL(resolve(baselinePath)).href)) as Core) : undefined;

const rounds = Number(process.env.ROUNDS ?? 40);
const warmup = 3;
const epochs = 3;
const backend = await useBackend((process.env.BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm');

interface Case {
  readonly name: DatasetName;
  readonly hidden: readonly number[];
  readonly batchSize: number;
}
const CASES: readonly Case[] = [
  { name: 'banknote', hidden: [16, 16], batchSize: 32 },
  { name: 'digits', hidden: [32], batchSize: 64 },
];

type Variant = 'plain' | 'bare' | 'basics' | 'baseline';
const VARIANTS: readonly Variant[] = baseline ? ['plain', 'bare', 'basics', 'baseline'] : ['plain', 'bare', 'basics'];

const median = (a: readonly number[]): number => {
  const s = [...a].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function measure(c: Case): Promise<{ line: string; ratio: number }> {
  const { dataset } = standardize(loadDataset(c.name));
  const { x, y } = toTensors(dataset);
  const makeModel = (): tf.Sequential =>
    tf.sequential({
      layers: [
        ...c.hidden.map((units, i) =>
          tf.layers.dense({
            units,
            activation: i === 0 ? 'tanh' : 'relu',
            kernelInitializer: tf.initializers.glorotUniform({ seed: i + 1 }),
            ...(i === 0 ? { inputShape: [dataset.cols] } : {}),
          }),
        ),
        tf.layers.dense({ units: dataset.numClasses, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }) }),
      ],
    });
  const times: Record<Variant, number[]> = { plain: [], bare: [], basics: [], baseline: [] };
  const selfUs: Record<'basics' | 'baseline', number[]> = { basics: [], baseline: [] };
  const steps = epochs * Math.ceil(dataset.rows / c.batchSize);

  const fitMs = async (variant: Variant, record: boolean): Promise<number> => {
    const model = makeModel();
    const sgd = tf.train.sgd(0.1);
    const lib: Core = variant === 'baseline' ? baseline! : { basics, instrument };
    const plugins = variant === 'basics' || variant === 'baseline' ? [lib.basics()] : [];
    const session = variant === 'plain' ? undefined : lib.instrument(sgd, { plugins, model }).kramers;
    let metrics = 0;
    session?.metric$.subscribe(() => metrics++);
    model.compile({ optimizer: sgd, loss: 'categoricalCrossentropy' });
    const t0 = performance.now();
    await model.fit(x, y, { epochs, batchSize: c.batchSize, shuffle: false, verbose: 0 });
    const ms = performance.now() - t0;
    if (plugins.length > 0 && metrics === 0) throw new Error('instrumented run emitted no metrics');
    if (record && (variant === 'basics' || variant === 'baseline')) selfUs[variant].push((session!.overhead().instrumentationMs / steps) * 1000);
    session?.close();
    model.dispose();
    sgd.dispose();
    return ms;
  };

  for (let r = 0; r < rounds + warmup; r++) {
    // rotate which variant goes first, so none always runs on a warmer or colder machine
    const order = VARIANTS.map((_, i) => VARIANTS[(i + r) % VARIANTS.length]!);
    for (const v of order) {
      const ms = await fitMs(v, r >= warmup);
      if (r >= warmup) times[v].push(ms);
    }
  }
  tf.dispose([x, y]);
  const ratio = (v: Variant) => median(times[v].map((t, i) => t / times.plain[i]!));
  const plainStep = median(times.plain) / steps;
  const self = (v: 'basics' | 'baseline') =>
    `median ${median(selfUs[v]).toFixed(1)} µs/step (${((median(selfUs[v]) / 1000 / plainStep) * 100).toFixed(1)} % of a plain step)`;
  const lines = [
    `${c.name} ${[dataset.cols, ...c.hidden, dataset.numClasses].join('-')}, batch ${c.batchSize}: ${steps} steps per fit, ${rounds} rounds`,
    `  plain ${plainStep.toFixed(3)} ms/step; instrumented, no plugins (wrappers, fit callback, yields): ratio ${ratio('bare').toFixed(3)}; basics every step: ratio ${ratio('basics').toFixed(3)}`,
    `  kramers' own time inside basics steps (self-measured): ${self('basics')}`,
  ];
  if (baseline) {
    lines.push(
      `  baseline build (${baselinePath}), basics every step: ratio ${ratio('baseline').toFixed(3)}, own time ${self('baseline')}; ` +
        `this build / baseline: ${median(times.basics.map((t, i) => t / times.baseline[i]!)).toFixed(3)}`,
    );
  }
  return { line: lines.join('\n'), ratio: ratio('basics') };
}

console.log(`backend ${backend}`);
const results: Array<{ name: string; ratio: number }> = [];
for (const c of CASES) {
  const r = await measure(c);
  console.log(r.line);
  results.push({ name: c.name, ratio: r.ratio });
}
console.log(`overhead ratio (basics every step / plain): ${results.map((r) => `${r.name} ${r.ratio.toFixed(3)}`).join(', ')}`);
