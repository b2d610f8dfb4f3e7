// The same experiment for pages that already show training in tfjs-vis: kramers' metrics go into the visor (a
// "kramers" tab, one line chart per metric) through `tfvisSurface` from @kramers/dashboard/tfvis. cpu backend, so the
// page needs neither WebGL nor the .wasm files. What the visor drew is left on `window.kramersTfvis` for the test.
import * as tf from '@tensorflow/tfjs';
import * as tfvis from '@tensorflow/tfjs-vis';
import { Subject } from 'rxjs';
import type { KramersEvent } from '@kramers/core';
import { tfvisSurface } from '@kramers/dashboard/tfvis';
import { runExperiment } from './experiment.js';

declare global {
  interface Window {
    kramersTfvis?: { readonly lambdaMax: number; readonly metrics: readonly string[] } | { readonly error: string };
  }
}

const METRICS = ['basics/loss', 'basics/grad_norm', 'sharpness/lambda_max'] as const;

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const events = new Subject<KramersEvent>();
  tfvis.visor().open();
  const surface = tfvisSurface(tfvis, events, { tab: 'kramers', metrics: METRICS, throttleMs: 200 });
  const errors: string[] = [];
  const result = await runExperiment(
    (e) => {
      if (e.kind === 'plugin-error') errors.push(`${e.plugin}: ${e.message}`);
      events.next(e);
    },
    { epochs: 4 },
  ).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; ${errors.join('; ')}`);
  });
  surface.close();
  window.kramersTfvis = { lambdaMax: result.lambdaMax, metrics: METRICS };
}

main().catch((e: unknown) => {
  window.kramersTfvis = { error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
});
