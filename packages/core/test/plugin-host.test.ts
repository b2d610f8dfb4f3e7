import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test, vi } from 'vitest';
import {
  basics,
  budget,
  ConfigError,
  definePlugin,
  every,
  instrument,
  isDue,
  logSpaced,
  orderPlugins,
  serviceToken,
  useBackend,
  type KramersEvent,
  type MetricEvent,
} from '@kramers/core';

beforeAll(async () => {
  await useBackend('wasm');
});

/** A hand-written loop on a tiny quadratic: loss = ||w - 1||², driven through minimize. */
function quadraticLoop(opt: tf.Optimizer, steps: number, w = tf.variable(tf.zeros([4]), true, `w${Math.random()}`)) {
  for (let i = 0; i < steps; i++) {
    opt.minimize(() => tf.sum(tf.square(tf.sub(w, 1))) as tf.Scalar);
  }
  return w;
}

function collect(opt: { kramers: { metric$: import('rxjs').Observable<KramersEvent> } }): KramersEvent[] {
  const events: KramersEvent[] = [];
  opt.kramers.metric$.subscribe((e) => events.push(e));
  return events;
}

test('a plugin that throws is reported once and switched off; training and the other plugins go on', () => {
  const calls: number[] = [];
  const faulty = definePlugin({
    name: 'faulty',
    setup: () => ({
      onStep(ctx) {
        calls.push(ctx.iteration);
        if (ctx.iteration === 3) throw new Error('boom at 3');
        ctx.emit('ok', 1);
      },
    }),
  });
  const opt = instrument(tf.train.sgd(0.1), { plugins: [faulty, basics()] });
  const events = collect(opt);
  const w = quadraticLoop(opt, 8);
  const errors = events.filter((e) => e.kind === 'plugin-error');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ plugin: 'faulty', phase: 'step', iteration: 3, message: 'boom at 3' });
  expect(calls).toEqual([0, 1, 2, 3]);
  // basics kept emitting after the fault, through the last step.
  const lossIters = events.filter((e): e is MetricEvent => e.kind === 'metric' && e.name === 'loss').map((e) => e.iteration);
  expect(lossIters).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  // Training went on: SGD on ||w-1||² with lr 0.1 gives w = 1 - 0.8^8 exactly in exact arithmetic.
  expect(w.dataSync()[0]).toBeCloseTo(1 - 0.8 ** 8, 6);
  opt.kramers.close();
  w.dispose();
});

test('a plugin whose setup throws is reported with phase "setup" and never stepped', () => {
  const opt = instrument(tf.train.sgd(0.1), {
    plugins: [definePlugin({ name: 'broken', setup: () => { throw new Error('no setup'); } })],
  });
  const events = collect(opt);
  const w = quadraticLoop(opt, 2);
  expect(events).toEqual([expect.objectContaining({ kind: 'plugin-error', plugin: 'broken', phase: 'setup', iteration: 0, message: 'no setup' })]);
  expect(opt.kramers.overhead().plugins).toEqual([{ name: 'broken', enabled: false, runs: 0, totalMs: 0, firstMs: 0 }]);
  opt.kramers.close();
  w.dispose();
});

test('plugins resolve each other by token through the container, providers first whatever the listed order', () => {
  const Scale = serviceToken<{ factor: number }>('test/scale');
  const order: string[] = [];
  const provider = definePlugin<unknown, { factor: number }>({
    name: 'provider',
    provides: Scale,
    setup: () => {
      order.push('provider');
      return { service: { factor: 10 } };
    },
  });
  const consumer = definePlugin({
    name: 'consumer',
    dependsOn: [Scale],
    setup: (ctx) => {
      order.push('consumer');
      const scale = ctx.get(Scale);
      return { onStep: (step) => step.emit('scaled', step.iteration * scale.factor) };
    },
  });
  const opt = instrument(tf.train.sgd(0.1), { plugins: [consumer, provider] });
  const events = collect(opt);
  const w = quadraticLoop(opt, 3);
  expect(order).toEqual(['provider', 'consumer']);
  expect(events.map((e) => (e.kind === 'metric' ? e.value : null))).toEqual([0, 10, 20]);
  opt.kramers.close();
  w.dispose();
  expect(() => orderPlugins([consumer])).toThrow(/dependsOn: no plugin provides "test\/scale"/);
  const A = serviceToken<number>('a');
  const B = serviceToken<number>('b');
  expect(() =>
    orderPlugins([
      { name: 'x', provides: A, dependsOn: [B] },
      { name: 'y', provides: B, dependsOn: [A] },
    ]),
  ).toThrow(/dependency cycle: x → y → x/);
});

test('bad configs fail at start naming the field, the value and what is allowed', () => {
  const message = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('expected a ConfigError');
  };
  expect(message(() => instrument(tf.train.sgd(0.1), { plugins: [basics({ every: 0 })] }))).toContain(
    'config.every: got 0; must be >= 1',
  );
  expect(message(() => instrument(tf.train.sgd(0.1), { plugins: [basics({ every: 2.5 })] }))).toContain(
    'config.every: got 2.5; must be of type integer',
  );
  expect(
    message(() => instrument(tf.train.sgd(0.1), { plugins: [basics({ perLayr: true } as never)] })),
  ).toContain('config.perLayr: unknown field; allowed fields: every, perLayer');
  expect(message(() => instrument(tf.train.sgd(0.1), { plugins: [basics(), basics()] }))).toContain(
    'two plugins are named "basics"',
  );
  const needsProbe = definePlugin({ name: 'curious', needs: ['probe'], setup: () => ({}) });
  expect(message(() => instrument(tf.train.sgd(0.1), { plugins: [needsProbe] }))).toContain(
    'plugin "curious": invalid config\n  - needs a probe batch: pass `probe: { model, x, y }`',
  );
});

test('schedules: every n, log-spaced, and the overhead budget decide from iteration and measured cost', () => {
  const none = { lastRun: undefined, runs: 0, pluginMs: 0, firstMs: 0, lastMs: 0, trainMs: 0 };
  const ran = [...Array(10).keys()].filter((i) => isDue(every(3, 1), i, none));
  expect(ran).toEqual([1, 4, 7]);
  const log = logSpaced(1000, { perDecade: 3 });
  expect(log.kind === 'log' && log.points).toEqual([0, 1, 3, 7, 15, 31, 62, 125, 250, 501, 1000]) // round(1001^(i/10) − 1);
  const b = budget(0.1, { maxInterval: 50 });
  // The first run (warm-up) always happens.
  expect(isDue(b, 0, none)).toBe(true);
  // A 50 ms warm-up (left out of the tally), then 5 ms spent; the next run predicted at 5 ms and one more kept for the
  // final measurement: 15 ms ≤ 10 % of training.
  const after = { lastRun: 3, runs: 2, pluginMs: 55, firstMs: 50, lastMs: 5 };
  expect(isDue(b, 10, { ...after, trainMs: 149 })).toBe(false);
  expect(isDue(b, 10, { ...after, trainMs: 150 })).toBe(true);
  expect(isDue(b, 53, { ...after, trainMs: 1 })).toBe(true); // maxInterval forces it
  // With room to spare, runs are still spread at the budget's rate: 5 ms / (0.1 · 9.9 ms per step) ≈ 5 steps apart.
  expect(isDue(b, 100, { ...after, lastRun: 99, trainMs: 1000 })).toBe(false);
  expect(isDue(b, 100, { ...after, lastRun: 95, trainMs: 1000 })).toBe(false);
  expect(isDue(b, 100, { ...after, lastRun: 94, trainMs: 1000 })).toBe(true);
  // Log spacing for a cheap plugin: after a run at 99, wait ⌈100·(10^0.1 − 1)⌉ = 26 steps, at most maxGap.
  // After the warm-up alone, the next run is predicted at half its cost (first runs are slower): 2·25 ms.
  expect(isDue(b, 40, { lastRun: 0, runs: 1, pluginMs: 50, firstMs: 50, lastMs: 50, trainMs: 499 })).toBe(false);
  expect(isDue(b, 40, { lastRun: 0, runs: 1, pluginMs: 50, firstMs: 50, lastMs: 50, trainMs: 500 })).toBe(true);
  const cheap = { runs: 5, pluginMs: 0, firstMs: 0, lastMs: 0, trainMs: 1e6 };
  const logged = budget(1, { perDecade: 10 });
  expect(isDue(logged, 124, { ...cheap, lastRun: 99 })).toBe(false);
  expect(isDue(logged, 125, { ...cheap, lastRun: 99 })).toBe(true);
  const capped = budget(1, { perDecade: 10, maxGap: 10 });
  expect(isDue(capped, 1009, { ...cheap, lastRun: 999 })).toBe(true);
  expect(isDue(capped, 1008, { ...cheap, lastRun: 999 })).toBe(false);
  expect(() => budget(0)).toThrow(/budget\(fraction\) must be in \(0, 1\], got 0/);
  expect(() => every(0)).toThrow(/every\(n\) must be an integer ≥ 1, got 0/);
});

test('the budget schedule keeps an expensive plugin within its share of training time, spread over the run', () => {
  // A fake clock that only training and the plugin advance: the schedule's decisions are then exact, not timed.
  let clock = 0;
  const now = vi.spyOn(performance, 'now').mockImplementation(() => clock);
  try {
    const ranAt: number[] = [];
    const expensive = definePlugin({
      name: 'expensive',
      schedule: budget(0.1),
      setup: () => ({
        onStep: (ctx) => {
          ranAt.push(ctx.iteration);
          clock += ctx.iteration === 0 ? 20 : 4; // a cold first run, then 4 training steps' worth each
        },
      }),
    });
    const opt = instrument(tf.train.sgd(0.01), { plugins: [expensive] });
    const w = tf.variable(tf.zeros([4]));
    for (let i = 0; i < 1000; i++) {
      opt.minimize(() => {
        clock += 1; // a training step costs 1 ms
        return tf.sum(tf.square(tf.sub(w, 1))) as tf.Scalar;
      });
    }
    const { trainMs, plugins } = opt.kramers.overhead();
    const stats = plugins[0]!;
    // Every step would be 4× training time; after the warm-up the budget holds the plugin to 10 %, one run kept in
    // reserve for the end.
    expect(trainMs).toBe(1000);
    expect(stats.firstMs).toBe(20);
    expect((stats.totalMs - stats.firstMs) / trainMs).toBeLessThanOrEqual(0.1);
    expect(stats.runs).toBe(ranAt.length);
    expect(ranAt[0]).toBe(0);
    // The second run is predicted at half the cold first (10 ms): it waits until two of those fit in 10 % of
    // training (200 ms) and are 10 / (0.1 · 1 ms) = 100 steps apart; then every 40 steps, within the budget.
    expect(ranAt.slice(0, 3)).toEqual([0, 199, 239]);
    expect(ranAt.length).toBe(22);
    // Spread at the budget's rate (4 ms / (0.1 · 1 ms) = 40 steps), not in bursts once the cold run is paid back.
    const gaps = ranAt.slice(1).map((it, i) => it - ranAt[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(40);
    expect(ranAt.at(-1)).toBeGreaterThan(900);
    opt.kramers.close();
    w.dispose();
  } finally {
    now.mockRestore();
  }
});

test('uses: an optional service orders its provider first when present and is not required', () => {
  const Token = serviceToken<{ value(): number }>('example/optional');
  const seen: Array<boolean | number> = [];
  const user = definePlugin({
    name: 'user',
    uses: [Token],
    setup: () => ({ onStep: (ctx) => void seen.push(ctx.has(Token) ? ctx.get(Token).value() : false) }),
  });
  const provider = definePlugin<unknown, { value(): number }>({
    name: 'provider',
    provides: Token,
    setup: () => {
      let n = 0;
      return { service: { value: () => n }, onStep: () => void n++ };
    },
  });
  const w = tf.variable(tf.zeros([2]));
  const loss = () => tf.sum(tf.square(tf.sub(w, 1))) as tf.Scalar;
  // listed after its user, the provider still runs first: the user sees this step's count
  const a = instrument(tf.train.sgd(0.1), { plugins: [user, provider] });
  a.minimize(loss);
  a.minimize(loss);
  a.kramers.close();
  expect(seen).toEqual([1, 2]);
  seen.length = 0;
  const b = instrument(tf.train.sgd(0.1), { plugins: [user] });
  b.minimize(loss);
  b.kramers.close();
  expect(seen).toEqual([false]);
  w.dispose();
});
