// instrument's `clock`: a run's own elapsed time, the base of time budgets, for runs that take turns in one thread.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, test } from 'vitest';
import { budget, definePlugin, instrument, useBackend } from '@kramers/core';

beforeAll(async () => {
  await useBackend('cpu');
});

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

/** A plugin on a 10 % budget that costs 2 ms a run, recording the steps it ran at and the elapsed time it saw. */
function costly() {
  const ran: number[] = [];
  const elapsed: number[] = [];
  const plugin = definePlugin({
    name: 'costly',
    schedule: budget(0.1),
    setup: () => ({
      onStep(step) {
        ran.push(step.iteration);
        elapsed.push(step.step.elapsedMs);
        busy(2);
      },
    }),
  });
  return { plugin, ran, elapsed };
}

function train(clock: (() => number) | undefined, steps: number) {
  const c = costly();
  const v = tf.variable(tf.scalar(1));
  const opt = instrument(tf.train.sgd(0.01), { plugins: [c.plugin], ...(clock ? { clock } : {}) });
  for (let i = 0; i < steps; i++) {
    opt.minimize(() => tf.square(v) as tf.Scalar);
    busy(0.2); // the rest of a step, outside the optimizer
  }
  opt.kramers.close();
  v.dispose();
  return c;
}

test("the time budget is a share of the run's own clock; step events carry it", () => {
  // A run whose own clock never advances (its neighbours did all the training) gets its warm-up run and no more.
  const still = train(() => 0, 300);
  expect(still.ran).toEqual([0]);
  expect(still.elapsed).toEqual([0]);
  // A clock 100× the wall time buys about 100× the measurements the wall clock would: every step here.
  let fast = 0;
  const generous = train(() => (fast += 50), 300);
  const wall = train(undefined, 300);
  expect(generous.ran.length).toBeGreaterThan(2 * wall.ran.length);
  expect(wall.ran.length).toBeGreaterThan(1);
  expect(() => instrument(tf.train.sgd(0.1), { clock: 5 as unknown as () => number })).toThrow("clock must be a function returning this run's elapsed milliseconds");
});
