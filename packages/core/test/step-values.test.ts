import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { basics, definePlugin, instrument, useBackend, type MetricEvent } from '@kramers/core';

beforeAll(async () => {
  await useBackend('wasm');
});

type Values = Record<string, number[]>;
const plain = (m: ReadonlyMap<string, Float32Array>): Values => Object.fromEntries([...m].map(([k, v]) => [k, Array.from(v)]));
const read = (vars: readonly tf.Variable[]): Values => Object.fromEntries(vars.map((v) => [v.name, Array.from(v.dataSync())]));
const norm = (values: readonly number[][]): number => Math.sqrt(values.flat().reduce((s, x) => s + x * x, 0));

/**
 * The values plugins see are reused buffers and maps, refilled each step. This drives steps whose set of updated
 * variables changes (a varList, a null gradient, a variable assigned between steps, one trained only from step 3)
 * and checks every step's gradient, before and after values against the variables read with dataSync, and the
 * basics norms against a float64 sum over those reads.
 */
test('step values follow the variables each step updates, when the set changes between steps', () => {
  const a = tf.variable(tf.tensor1d([0.5, -1, 2]), true, 'p/a');
  const b = tf.variable(tf.tensor1d([3, 1, 0, -2, 4]), true, 'q/b');
  const c = tf.variable(tf.tensor1d([1, 1]), true, 'r/c');
  const seen: Array<{ grads: Values; before: Values; after: Values; gradOrder: string[]; afterOrder: string[] }> = [];
  const recorder = definePlugin({
    name: 'recorder',
    needs: ['update'],
    setup: () => ({
      onStep(ctx) {
        const grads = ctx.gradientValues();
        const after = ctx.paramValues();
        seen.push({
          grads: plain(grads),
          before: plain(ctx.previousParamValues()),
          after: plain(after),
          gradOrder: [...grads.keys()],
          afterOrder: [...after.keys()],
        });
      },
    }),
  });
  const eta = 0.25;
  const opt = instrument(tf.train.sgd(eta), { plugins: [recorder, basics({ perLayer: true })] });
  const events: MetricEvent[] = [];
  opt.kramers.metric$.subscribe((e) => e.kind === 'metric' && events.push(e));
  const stepTimes: number[] = [];
  opt.kramers.step$.subscribe((s) => stepTimes.push(s.wallTime));
  // L = ½‖a − 1‖² + ½‖b − 2‖² + ½‖c‖²: each gradient is its variable minus its target.
  const loss = () => tf.addN([a, b, c].map((v, i) => tf.mul(0.5, tf.sum(tf.square(tf.sub(v, [1, 2, 0][i]!)))))) as tf.Scalar;
  const expected: Array<{ grads: Values; before: Values; after: Values }> = [];
  const step = (vars: readonly tf.Variable[], run: () => void, gradOf: (before: Values) => Values): void => {
    const before = read(vars);
    run();
    expected.push({ grads: gradOf(before), before, after: read(vars) });
  };
  const minus = (before: Values, names: readonly string[]): Values =>
    Object.fromEntries(names.map((n) => [n, before[n]!.map((x) => x - ({ 'p/a': 1, 'q/b': 2, 'r/c': 0 } as Record<string, number>)[n]!)]));

  step([a, b], () => opt.minimize(loss, false, [a, b]), (bf) => minus(bf, ['p/a', 'q/b']));
  step([a], () => opt.minimize(loss, false, [a]), (bf) => minus(bf, ['p/a']));
  // The same names, then a null gradient: SGD leaves q/b alone; plugins see no gradient for it, and its unchanged values.
  const ga = tf.tensor1d([0.1, 0.2, -0.3]);
  const gb = tf.tensor1d([1, -1, 1, -1, 0.5]);
  step([a, b], () => opt.applyGradients({ 'p/a': ga, 'q/b': gb }), () => ({ 'p/a': [0.1, 0.2, -0.3], 'q/b': [1, -1, 1, -1, 0.5] }));
  step([a, b], () => opt.applyGradients({ 'p/a': ga, 'q/b': null as unknown as tf.Tensor }), () => ({ 'p/a': [0.1, 0.2, -0.3] }));
  step([a, b], () => opt.applyGradients({ 'p/a': ga, 'q/b': gb }), () => ({ 'p/a': [0.1, 0.2, -0.3], 'q/b': [1, -1, 1, -1, 0.5] }));
  // The user assigns between steps: the pre-update values must be read again, not taken from the last step.
  b.assign(tf.tensor1d([-1, 0, 1, 2, 3]));
  step([a, b], () => opt.minimize(loss, false, [a, b]), (bf) => minus(bf, ['p/a', 'q/b']));
  // A variable (and layer) trained only from this step on.
  step([a, b, c], () => opt.minimize(loss, false, [a, b, c]), (bf) => minus(bf, ['p/a', 'q/b', 'r/c']));
  step([a, b, c], () => opt.minimize(loss, false, [a, b, c]), (bf) => minus(bf, ['p/a', 'q/b', 'r/c']));

  expect(seen).toHaveLength(expected.length);
  const initial: Values = {};
  for (let t = 0; t < expected.length; t++) {
    const got = seen[t]!;
    const want = expected[t]!;
    expect(got.gradOrder).toEqual(Object.keys(want.grads));
    expect(got.afterOrder).toEqual(Object.keys(want.after));
    for (const [name, g] of Object.entries(want.grads)) {
      for (let i = 0; i < g.length; i++) expect(got.grads[name]![i]).toBeCloseTo(g[i]!, 6);
    }
    expect(got.before).toEqual(want.before);
    expect(got.after).toEqual(want.after);
    for (const [name, v] of Object.entries(want.before)) initial[name] ??= v;

    // basics, per layer (p, q, r are one variable each) and in total, from the dataSync reads in float64.
    const value = (name: string, layer?: string) =>
      events.find((e) => e.iteration === t && e.name === name && e.layer === layer)!.value as number;
    const names = Object.keys(want.grads);
    const expectNorms = (layer: string | undefined, vars: readonly string[]): void => {
      expect(value('grad_norm', layer)).toBeCloseTo(norm(vars.map((n) => want.grads[n]!)), 6);
      expect(value('update_norm', layer)).toBeCloseTo(norm(vars.map((n) => want.after[n]!.map((x, i) => x - want.before[n]![i]!))), 6);
      expect(value('distance', layer)).toBeCloseTo(norm(vars.map((n) => want.after[n]!.map((x, i) => x - initial[n]![i]!))), 6);
      expect(value('param_norm', layer)).toBeCloseTo(norm(vars.map((n) => want.after[n]!)), 6);
    };
    expectNorms(undefined, names);
    for (const n of names) expectNorms(n.slice(0, 1), [n]);
    // a step's metrics share the step event's moment
    expect(new Set(events.filter((e) => e.iteration === t).map((e) => e.wallTime))).toEqual(new Set([stepTimes[t]]));
    const layersAt = events.filter((e) => e.iteration === t && e.name === 'grad_norm' && e.layer !== undefined).map((e) => e.layer);
    expect(layersAt).toEqual(names.map((n) => n.slice(0, 1)));
  }
  opt.kramers.close();
  tf.dispose([a, b, c, ga, gb]);
});
