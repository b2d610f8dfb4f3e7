import { describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import type { KramersEvent, MetricEvent, PluginErrorEvent } from './events.js';
import { collectLatest, emptyLatest, latestReducer, metricKey } from './latest.js';

const metric = (runId: string, iteration: number, name: string, value: number, extra: Partial<MetricEvent> = {}): MetricEvent => ({
  kind: 'metric', runId, iteration, plugin: 'hvp', name, value, wallTime: 1000 + iteration, ...extra,
});
const failure = (runId: string, iteration: number, plugin: string): PluginErrorEvent => ({
  kind: 'plugin-error', runId, iteration, plugin, phase: 'step', message: `${plugin} broke`, wallTime: 5,
});

describe('latestReducer', () => {
  it('keeps per run the latest value of each (plugin, name, layer), the errors and the last iteration', () => {
    const events: KramersEvent[] = [
      metric('sgd', 0, 'lambda_max', 10),
      metric('adam', 0, 'lambda_max', 20),
      metric('sgd', 0, 'lambda_max', 1, { layer: 'dense1' }),
      metric('sgd', 0, 'lambda_max', 2, { layer: 'dense2' }),
      metric('sgd', 5, 'lambda_max', 11),
      metric('sgd', 5, 'lambda_max', 1.5, { layer: 'dense1' }),
      metric('sgd', 5, 'lambda_max', 99, { plugin: 'other' }),
      failure('adam', 7, 'sgn'),
      metric('adam', 3, 'trace', 40),
      failure('adam', 9, 'valley'),
    ];
    const state = events.reduce(latestReducer, emptyLatest());

    expect(state.runs.map((r) => r.runId)).toEqual(['sgd', 'adam']);
    const [sgd, adam] = state.runs;
    expect(sgd!.lastIteration).toBe(5);
    expect(Object.keys(sgd!.metrics)).toEqual(['hvp/lambda_max', 'hvp/lambda_max@dense1', 'hvp/lambda_max@dense2', 'other/lambda_max']);
    expect(sgd!.metrics['hvp/lambda_max']!.value).toBe(11);
    expect(sgd!.metrics['hvp/lambda_max@dense1']!.value).toBe(1.5);
    expect(sgd!.metrics['hvp/lambda_max@dense2']!.value).toBe(2);
    expect(sgd!.metrics['other/lambda_max']!.value).toBe(99);
    expect(sgd!.errors).toEqual([]);

    // Error events count towards the last iteration even when later than any metric.
    expect(adam!.lastIteration).toBe(9);
    expect(adam!.metrics['hvp/lambda_max']!.value).toBe(20);
    expect(adam!.metrics['hvp/trace']!.value).toBe(40);
    expect(adam!.errors.map((e) => [e.plugin, e.iteration])).toEqual([['sgn', 7], ['valley', 9]]);
  });

  it('does not let a late event from an earlier iteration replace a newer value; same iteration replaces', () => {
    let state = latestReducer(emptyLatest(), metric('sgd', 10, 'loss', 0.5));
    state = latestReducer(state, metric('sgd', 4, 'loss', 9));
    expect(state.runs[0]!.metrics['hvp/loss']!.value).toBe(0.5);
    state = latestReducer(state, metric('sgd', 10, 'loss', 0.4));
    expect(state.runs[0]!.metrics['hvp/loss']!.value).toBe(0.4);
  });

  it('is pure: earlier states are left as they were', () => {
    const s0 = emptyLatest();
    const s1 = latestReducer(s0, metric('sgd', 0, 'loss', 1));
    const snapshot = JSON.stringify(s1);
    const s2 = latestReducer(s1, metric('sgd', 1, 'loss', 2));
    const s3 = latestReducer(s2, failure('sgd', 2, 'hvp'));
    expect(s0.runs).toEqual([]);
    expect(JSON.stringify(s1)).toBe(snapshot);
    expect(s2.runs[0]!.errors).toEqual([]);
    expect(s3.runs[0]!.errors).toHaveLength(1);
    expect(s3.runs[0]!.metrics['hvp/loss']!.value).toBe(2);
  });

  it('names keys plugin/name and plugin/name@layer', () => {
    expect(metricKey({ plugin: 'hvp', name: 'trace' })).toBe('hvp/trace');
    expect(metricKey({ plugin: 'hvp', name: 'trace', layer: 'conv/kernel' })).toBe('hvp/trace@conv/kernel');
  });
});

describe('collectLatest', () => {
  it('folds a live stream and resolves with the final state on complete', async () => {
    const events$ = new Subject<KramersEvent>();
    const latest = collectLatest(events$);
    events$.next(metric('sgd', 0, 'loss', 3));
    expect(latest.state.runs[0]!.metrics['hvp/loss']!.value).toBe(3);
    events$.next(metric('sgld', 1, 'loss', 2));
    events$.next(metric('sgd', 2, 'loss', 1));
    events$.complete();
    const final = await latest.done;
    expect(final.runs.map((r) => [r.runId, r.lastIteration, r.metrics['hvp/loss']!.value])).toEqual([
      ['sgd', 2, 1],
      ['sgld', 1, 2],
    ]);
  });

  it('rejects done with the stream error, and stops on unsubscribe', async () => {
    const a$ = new Subject<KramersEvent>();
    const a = collectLatest(a$);
    a$.error(new Error('training crashed'));
    await expect(a.done).rejects.toThrow('training crashed');

    const b$ = new Subject<KramersEvent>();
    const b = collectLatest(b$);
    b$.next(metric('sgd', 0, 'loss', 3));
    b.unsubscribe();
    b$.next(metric('sgd', 1, 'loss', 4));
    expect(b.state.runs[0]!.lastIteration).toBe(0);
  });
});
