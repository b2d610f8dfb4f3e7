// The tfjs-vis surface against a recording fake of tfjs-vis's render.linechart: what it is asked to draw, when, and
// how much, fed by a hand-made stream and by a real kramers session.
import * as tf from '@tensorflow/tfjs';
import { Subject } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { basics, instrument, useBackend, type KramersEvent } from '@kramers/core';
import { tfvisSurface, type TfvisLinechartOptions, type TfvisPoint, type TfvisSurfaceInfo } from '../src/index.js';
import { metric } from './helpers.js';

interface Call {
  container: TfvisSurfaceInfo;
  data: { values: TfvisPoint[][]; series: string[] };
  options: TfvisLinechartOptions | undefined;
}

function recordingTfvis() {
  const calls: Call[] = [];
  return {
    calls,
    tfvis: { render: { linechart: (container: TfvisSurfaceInfo, data: Call['data'], options?: TfvisLinechartOptions) => void calls.push({ container, data: structuredClone(data), options }) } },
  };
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('tfvisSurface', () => {
  it('draws one chart per scalar metric with a series per run, thinned and keeping the latest point', () => {
    const { calls, tfvis } = recordingTfvis();
    const bus = new Subject<KramersEvent>();
    const surface = tfvisSurface(tfvis, bus, { tab: 'curvature', maxPoints: 8, throttleMs: 60_000, height: 200 });
    for (let i = 0; i < 100; i++) {
      bus.next(metric('sgd', i, 'loss', 1 / (i + 1), { plugin: 'basics' }));
      if (i % 10 === 9) bus.next(metric('adam', i, 'loss', 2 / (i + 1), { plugin: 'basics' }));
    }
    bus.next(metric('sgd', 99, 'lambda_max', 4.25, { plugin: 'sharpness' }));
    bus.next(metric('sgd', 99, 'lambda_max', Number.NaN, { plugin: 'sharpness' })); // not drawable: left out
    bus.next(metric('sgd', 99, 'grad_norm', 1, { plugin: 'basics', layer: 'dense_1' })); // per layer: not charted
    bus.next(metric('sgd', 99, 'top_eigenvalues', { kind: 'vector', values: [4.25, 1] }, { plugin: 'sharpness' }));
    expect(calls).toHaveLength(0); // throttled: nothing drawn until the timer or a flush
    surface.flush();
    expect(calls.map((c) => c.container)).toEqual([
      { name: 'basics/loss', tab: 'curvature' },
      { name: 'sharpness/lambda_max', tab: 'curvature' },
    ]);
    const loss = calls[0]!;
    expect(loss.data.series).toEqual(['sgd', 'adam']);
    // sgd: 100 points, cap 8 → every 16th (0 … 96) and the latest (99); adam: 10 points → every 2nd of them and the latest.
    expect(loss.data.values[0]!.map((p) => p.x)).toEqual([0, 16, 32, 48, 64, 80, 96, 99]);
    expect(loss.data.values[0]![7]!.y).toBeCloseTo(1 / 100, 12);
    expect(loss.data.values[1]!.map((p) => p.x)).toEqual([9, 29, 49, 69, 89, 99]);
    expect(loss.options).toEqual({ xLabel: 'iteration', yLabel: 'loss', zoomToFit: true, height: 200 });
    expect(calls[1]!.data.values).toEqual([[{ x: 99, y: 4.25 }]]);
    surface.flush();
    expect(calls).toHaveLength(2); // nothing new, nothing redrawn
    surface.close();
    bus.next(metric('sgd', 100, 'loss', 0.001, { plugin: 'basics' }));
    surface.flush();
    expect(calls).toHaveLength(2);
  });

  it('follows a real session: the last loss it draws is the one the session reports, filtered by metric name', async () => {
    const { calls, tfvis } = recordingTfvis();
    const x = tf.tensor2d([[0.5, -1], [1, 0.25], [-0.5, 0.75], [0.2, 0.1]]);
    const y = tf.tensor2d([[1, 0], [0, 1], [1, 0], [0, 1]]);
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2], activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })] });
    const optimizer = instrument(tf.train.sgd(0.1), { model, plugins: [basics()] });
    const surface = tfvisSurface(tfvis, optimizer.kramers, { metrics: ['basics/loss'], throttleMs: 60_000 });
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { epochs: 6, batchSize: 2, shuffle: false, verbose: 0 });
    optimizer.kramers.close(); // completes metric$: the surface renders what is pending
    const last = optimizer.kramers.summary().metrics['basics/loss']!;
    expect(calls).toHaveLength(1);
    expect(calls[0]!.container.name).toBe('basics/loss');
    const drawn = calls[0]!.data.values[0]!;
    expect(drawn).toHaveLength(12); // 6 epochs × 2 steps, one loss each
    expect(drawn.at(-1)).toEqual({ x: last.iteration, y: last.value });
    expect(drawn[10]!.y).toBeLessThan(drawn[0]!.y); // the same first minibatch, five epochs later
    surface.close();
    tf.dispose([x, y]);
    model.dispose();
  });

  it('refuses what is not tfjs-vis and bad options, naming them', () => {
    const bus = new Subject<KramersEvent>();
    expect(() => tfvisSurface({} as never, bus)).toThrow(/first argument must be the tfjs-vis module/);
    const { tfvis } = recordingTfvis();
    expect(() => tfvisSurface(tfvis, bus, { maxPoints: 1 })).toThrow(/options\.maxPoints must be an integer ≥ 2, got 1/);
    expect(() => tfvisSurface(tfvis, bus, { tab: '' })).toThrow(/options\.tab/);
    expect(() => tfvisSurface(tfvis, bus, { throttleMs: -1 })).toThrow(/options\.throttleMs/);
  });
});
