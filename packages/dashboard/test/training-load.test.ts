/**
 * Training's step rate with 50 pages connected (history received, live stream flowing) vs none, side by side in one
 * run. The pages are real SSE clients in a child process (so their parsing does not count against training); the
 * dashboard is fed by the training run's own bus in this process, as in `kramers compare --dashboard`. Blocks alternate (none, 50, none, 50,
 * …) so drift in the shared machine's load falls on both sides; the ratio of medians is printed and bounded
 * generously here, since this test is not a benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { basics, createMetricBus, eventLoopYielder, instrument, useBackend } from '@kramers/core';
import { startDashboard, type Dashboard } from '../src/index.js';

const CLIENT_SCRIPT = `
const http = require('node:http');
const [port, n] = process.argv.slice(1).map(Number);
let events = 0, open = 0;
const lastIteration = new Array(n).fill(-1);
for (let i = 0; i < n; i++) {
  http.get({ host: '127.0.0.1', port, path: '/events', agent: false }, (res) => {
    let live = false;
    res.setEncoding('utf8');
    const me = i;
    res.on('data', (chunk) => {
      for (let k = chunk.indexOf('"kind":"metric"'); k >= 0; k = chunk.indexOf('"kind":"metric"', k + 1)) events++;
      if (!live && chunk.includes('event: live')) {
        live = true;
        if (++open === n) process.stdout.write('connected\\n');
      }
      for (const m of chunk.matchAll(/"iteration":(\\d+)/g)) lastIteration[me] = Math.max(lastIteration[me], Number(m[1]));
    });
  });
}
process.stdin.on('data', () => { process.stdout.write('events ' + events + ' ' + Math.min(...lastIteration) + '\\n'); process.exit(0); });
`;

interface Clients {
  readonly child: ChildProcess;
  /** Asks the child how many metric frames its clients received in all, and the latest iteration every client saw. */
  finish(): Promise<{ events: number; lastIteration: number }>;
}

function connectClients(port: number, n: number): Promise<Clients> {
  const child = spawn(process.execPath, ['-e', CLIENT_SCRIPT, String(port), String(n)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    out += d;
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = (re: RegExp): Promise<RegExpMatchArray> =>
    new Promise((resolve) => {
      const check = (): void => {
        const m = out.match(re);
        if (m) resolve(m);
        else waiters.push(check);
      };
      check();
    });
  return waitFor(/connected/).then(() => ({
    child,
    finish: async () => {
      child.stdin!.write('x');
      const m = await waitFor(/events (\d+) (-?\d+)/);
      return { events: Number(m[1]), lastIteration: Number(m[2]) };
    },
  }));
}

let dash: Dashboard | undefined;
afterEach(async () => {
  await dash?.close();
  dash = undefined;
});

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('training with 50 pages connected', () => {
  it('keeps its step rate (ratio of medians over alternating blocks, reported) and every page receives the events', async () => {
    await useBackend('wasm');
    const rows = 512;
    const x = tf.randomNormal([rows, 8], 0, 1, 'float32', 1);
    const y = tf.oneHot(tf.randomUniform([rows], 0, 3, 'int32', 2), 3);
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [8], units: 32, activation: 'relu' }), tf.layers.dense({ units: 3, activation: 'softmax' })],
    });
    const bus = createMetricBus();
    dash = await startDashboard();
    const subscription = bus.subscribe(dash.observer);
    // basics every step: several metric events per step, far more than the default schedule sends.
    const optimizer = instrument(tf.train.sgd(0.05), { bus, runId: 'load', model, plugins: [basics()] });
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const yieldNow = eventLoopYielder();
    const batch = 32;
    let step = 0;
    const block = async (steps: number): Promise<number> => {
      const t0 = performance.now();
      for (let s = 0; s < steps; s++, step++) {
        const start = (step * batch) % rows;
        const [xb, yb] = [x.slice([start, 0], [batch, 8]), y.slice([start, 0], [batch, 3])];
        await model.trainOnBatch(xb, yb);
        xb.dispose();
        yb.dispose();
        await yieldNow();
      }
      return performance.now() - t0;
    };
    await block(50); // warm-up: kernels compiled, history started
    const without: number[] = [];
    const withClients: number[] = [];
    let received = 0;
    let published = 0;
    let metricEvents = 0;
    let lastIteration = -1;
    const counter = bus.subscribe((e) => {
      if (e.kind !== 'metric') return;
      metricEvents++;
      lastIteration = Math.max(lastIteration, e.iteration);
    });
    const everyClientSaw: number[] = [];
    const publishedUpTo: number[] = [];
    for (let round = 0; round < 4; round++) {
      without.push(await block(150));
      const clients = await connectClients(dash.port, 50);
      const before = metricEvents;
      withClients.push(await block(150));
      published += metricEvents - before;
      // Let the held-back latest points go out (the live stream is decimated per series, 50 ms) before asking.
      await new Promise((r) => setTimeout(r, 300));
      const got = await clients.finish();
      received += got.events;
      everyClientSaw.push(got.lastIteration);
      publishedUpTo.push(lastIteration);
    }
    counter.unsubscribe();
    optimizer.kramers.close();
    subscription.unsubscribe();
    x.dispose();
    y.dispose();
    model.dispose();
    const ratio = median(withClients) / median(without);
    console.log(
      `training with 50 SSE clients: ${median(withClients).toFixed(0)} ms vs ${median(without).toFixed(0)} ms per 150 steps without; ` +
        `ratio ${ratio.toFixed(3)} (target ≤ 1.05); ${published} metric events published while connected, ${received} frames received by the 50 clients (history + decimated live)`,
    );
    expect(published).toBeGreaterThan(4 * 150 * 3);
    expect(dash.dropped()).toBe(0);
    // Decimated, but never stale: after each block every page had the run's latest iteration.
    expect(everyClientSaw).toEqual(publishedUpTo);
    expect(received).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1.5);
  });
});
