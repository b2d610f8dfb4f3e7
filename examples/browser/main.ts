// kramers in a web page: picks a tfjs backend (?backend=webgl|wasm|cpu, default webgl), runs the second-order
// self-test on it, trains the experiment of experiment.ts with kramers attached and draws its events with the
// dashboard's charts library. The result is left on `window.kramersResult` for scripts and tests.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import uPlot from 'uplot';
import { CHARTS, createCharts } from '@kramers/dashboard/charts';
import './style.css'; // with uPlot's and the charts' stylesheets
import { RUN_ID, runExperiment, secondOrderSelfTest, SETTINGS, type ExperimentResult, type SelfTest } from './experiment.js';

const BACKENDS = ['webgl', 'wasm', 'cpu'] as const;
type Backend = (typeof BACKENDS)[number];

export interface PageResult {
  readonly requestedBackend: string;
  /** The backend that trained, after any fallback. */
  readonly backend: Backend;
  /** Why a backend was not used, in order. */
  readonly notes: readonly string[];
  readonly selfTest: SelfTest;
  /** Milliseconds the self-test took (both runs: stock gradients and kramers' registry). */
  readonly selfTestMs: number;
  readonly epochs: number;
  readonly lambdaMax: number;
  readonly result: ExperimentResult;
}

declare global {
  interface Window {
    /** Set once the page has finished: the outcome, or `{ error }`. */
    kramersResult?: PageResult | { readonly error: string };
  }
}

const $ = (id: string): HTMLElement => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`index.html has no #${id}`);
  return e;
};
const line = (list: HTMLElement, text: string, cls = ''): void => {
  const li = document.createElement('li');
  li.textContent = text;
  if (cls) li.className = cls;
  list.append(li);
};

// The .wasm files sit next to main.js (build.mjs copies them); without cross-origin isolation tfjs uses the
// single-threaded SIMD build.
setWasmPaths(new URL('./', document.baseURI).href);

/** Why `backend` cannot be trusted for curvature here, or undefined when it can. */
async function tryBackend(backend: Backend): Promise<string | undefined> {
  try {
    if (!(await tf.setBackend(backend))) return `${backend}: this browser cannot initialise it`;
    await tf.ready();
  } catch (e) {
    return `${backend}: ${e instanceof Error ? e.message : String(e)}`;
  }
  // Curvature needs float32 arithmetic; some GPUs give WebGL only float16 textures.
  if (backend === 'webgl' && !tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')) return 'webgl: float16 textures only (curvature needs float32)';
  return undefined;
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const requested = params.get('backend') ?? 'webgl';
  const notes: string[] = [];
  const epochsParam = params.get('epochs');
  const epochs = epochsParam === null ? SETTINGS.epochs : Number(epochsParam);
  if (!(Number.isInteger(epochs) && epochs >= 1 && epochs <= 1000)) throw new Error(`?epochs=${epochsParam}: use an integer from 1 to 1000`);
  const noteList = $('notes');
  let order: Backend[] = [...BACKENDS];
  if ((BACKENDS as readonly string[]).includes(requested)) {
    order = order.slice(BACKENDS.indexOf(requested as Backend));
  } else {
    notes.push(`?backend=${requested}: unknown; use webgl, wasm or cpu (trying webgl)`);
  }

  let chosen: { backend: Backend; selfTest: SelfTest; selfTestMs: number } | undefined;
  for (const backend of order) {
    $('status').textContent = `starting ${backend}…`;
    const problem = await tryBackend(backend);
    if (problem !== undefined) {
      notes.push(`${problem}; falling back`);
      continue;
    }
    $('status').textContent = `second-order self-test on ${backend}…`;
    await new Promise((r) => setTimeout(r, 0)); // let the status line paint
    const start = performance.now();
    const selfTest = secondOrderSelfTest();
    const selfTestMs = performance.now() - start;
    if (!selfTest.ok) {
      notes.push(`${backend}: second-order self-test failed (${selfTest.failures.join('; ')}); falling back`);
      continue;
    }
    chosen = { backend, selfTest, selfTestMs };
    break;
  }
  for (const n of notes) line(noteList, n, 'warn');
  if (!chosen) throw new Error('no backend passed the second-order self-test');
  const { backend, selfTest, selfTestMs } = chosen;

  $('backend').textContent = backend;
  const st = $('selftest');
  st.textContent =
    `passed: all ${selfTest.cases} cases agree with finite differences (largest relative error ${selfTest.maxRelError.toExponential(1)}); ` +
    `stock tfjs gradients get ${selfTest.stockFailures.length} of them wrong on this backend`;
  st.className = 'ok';
  $('settings').textContent =
    `iris (150 rows, z-scored), MLP 4-${SETTINGS.hidden}-3 (tanh, softmax), SGLD η = ${SETTINGS.learningRate}, D = ${SETTINGS.diffusion}, ` +
    `batch ${SETTINGS.batchSize}, ${epochs} epochs, seed ${SETTINGS.seed}; λ_max every ${SETTINGS.measureEvery} steps and at the end`;

  const charts = createCharts($('charts'), {
    uPlot,
    // λ_max moves by tens of percent here: a linear axis shows it (the toggle switches to log).
    charts: CHARTS.filter((c) => ['loss', 'accuracy', 'sharpness'].includes(c.id)).map((c) => (c.id === 'sharpness' ? { ...c, log: false } : c)),
  });
  $('status').textContent = `training on ${backend}…`;
  const result = await runExperiment((e) => charts.push(e), { epochs });
  charts.push({ kind: 'run', runId: RUN_ID, iteration: result.steps - 1, phase: 'end', info: { status: 'completed' }, wallTime: Date.now() });
  charts.flush();
  $('status').textContent = `done: λ_max ${result.lambdaMax.toPrecision(6)} after ${result.steps} steps on ${backend} (${(result.trainMs / 1000).toFixed(1)} s)`;
  $('status').className = 'status done';
  window.kramersResult = { requestedBackend: requested, backend, notes, selfTest, selfTestMs, epochs, lambdaMax: result.lambdaMax, result };
}

main().catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  $('status').textContent = `failed: ${message}`;
  $('status').className = 'status failed';
  window.kramersResult = { error: message };
});
