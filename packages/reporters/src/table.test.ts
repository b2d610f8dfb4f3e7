import { describe, expect, it } from 'vitest';
import type { KramersEvent } from '@kramers/core';
import { formatNumber } from './format-number.js';
import { comparisonTable, formatTable } from './table.js';
import { emptyLatest, latestReducer } from '@kramers/core';

describe('formatNumber (C %.4g with a JS exponent)', () => {
  it.each([
    [0, '0'],
    [1, '1'],
    [0.5, '0.5'],
    [0.123456, '0.1235'],
    [12.34567, '12.35'],
    [1234.4, '1234'],
    [9999.7, '1e4'], // rounds up into the next decade, so exponent form as in C
    [12345, '1.235e4'],
    [-0.00012346, '-0.0001235'],
    [0.000012345, '1.234e-5'], // the double nearest 1.2345e-5 lies below it
    [2.5e-7, '2.5e-7'],
    [6.02e23, '6.02e23'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [undefined, '—'],
    [null, '—'],
  ])('%s → %s', (x, expected) => {
    expect(formatNumber(x)).toBe(expected);
  });
});

describe('formatTable', () => {
  it('aligns text left and numeric columns right, with a dashed rule and — for missing', () => {
    const out = formatTable(['run', 'loss', 'n'], [
      ['sgd', 0.123456, 3],
      ['adam', null, 12345],
    ]);
    expect(out).toBe(['run     loss        n', '----  ------  -------', 'sgd   0.1235        3', 'adam       —  1.235e4'].join('\n'));
  });

  it('honours explicit alignment and trims trailing spaces', () => {
    const out = formatTable(['a', 'b'], [['x', 'yy'], ['xxx', undefined]], { align: ['right', 'left'] });
    expect(out).toBe(['  a  b', '---  --', '  x  yy', 'xxx  —'].join('\n'));
  });

  it('rejects a row of the wrong length, naming the row', () => {
    expect(() => formatTable(['a', 'b'], [['x']])).toThrow(/row 0 has 1 cells but there are 2 columns/);
  });
});

describe('comparisonTable', () => {
  const events: KramersEvent[] = [
    { kind: 'metric', runId: 'sgd', iteration: 99, plugin: 'train', name: 'loss', value: 0.5, wallTime: 1 },
    { kind: 'metric', runId: 'adam', iteration: 99, plugin: 'train', name: 'loss', value: 0.25, wallTime: 2 },
    {
      kind: 'metric', runId: 'sgd', iteration: 90, plugin: 'hvp', name: 'lambda_max', value: 12.34567,
      uncertainty: { stderr: 0.0123 }, wallTime: 3,
    },
    // Per-layer values stay out unless asked for; non-scalars never become columns.
    { kind: 'metric', runId: 'sgd', iteration: 90, plugin: 'hvp', name: 'lambda_max', layer: 'dense1', value: 3, wallTime: 3 },
    { kind: 'metric', runId: 'sgd', iteration: 90, plugin: 'hvp', name: 'top_k', value: { kind: 'vector', values: [1, 2] }, wallTime: 3 },
    {
      kind: 'metric', runId: 'sgd', iteration: 99, plugin: 'escape', name: 'escape_time', value: 1234.4, unit: 'steps',
      prediction: true, wallTime: 4,
    },
  ];
  const state = events.reduce(latestReducer, emptyLatest());

  it('puts runs in rows and scalar metrics in columns, with ± stderr, [unit], (pred) and — for missing', () => {
    expect(comparisonTable(state)).toBe(
      [
        'run   iteration  loss      lambda_max  escape_time [steps] (pred)',
        '----  ---------  ----  --------------  --------------------------',
        'sgd          99   0.5  12.35 ± 0.0123                        1234',
        'adam         99  0.25               —                           —',
      ].join('\n'),
    );
  });

  it('selects and orders columns by name or plugin/name, and shows layers on request', () => {
    expect(comparisonTable(state, { metrics: ['hvp/lambda_max', 'loss'], layers: true })).toBe(
      [
        'run   iteration      lambda_max  lambda_max@dense1  loss',
        '----  ---------  --------------  -----------------  ----',
        'sgd          99  12.35 ± 0.0123                  3   0.5',
        'adam         99               —                  —  0.25',
      ].join('\n'),
    );
  });

  it('adds a status column when a run ended other than completed, and marks a diverged run', () => {
    const run = (runId: string, phase: 'start' | 'end', info: Record<string, unknown>): KramersEvent => ({
      kind: 'run', runId, iteration: phase === 'start' ? -1 : 40, phase, info, wallTime: 5,
    });
    const ended = [
      run('sgd', 'start', {}),
      { kind: 'metric', runId: 'sgd', iteration: 40, plugin: 'evaluate', name: 'train_loss', value: 0.5, wallTime: 6 },
      run('sgd', 'end', { status: 'completed' }),
      run('adam', 'start', {}),
      { kind: 'metric', runId: 'adam', iteration: 40, plugin: 'evaluate', name: 'train_loss', value: Number.NaN, wallTime: 6 },
      run('adam', 'end', { status: 'diverged' }),
      run('sgld', 'start', {}),
    ] satisfies KramersEvent[];
    expect(comparisonTable(ended.reduce(latestReducer, emptyLatest()))).toBe(
      [
        'run   iteration  status     train_loss',
        '----  ---------  ---------  ----------',
        'sgd          40  completed         0.5',
        'adam         40  diverged          NaN',
        'sgld         -1  running             —',
      ].join('\n'),
    );
    // All completed: no status column.
    expect(comparisonTable(ended.slice(0, 3).reduce(latestReducer, emptyLatest())).split('\n')[0]).toBe('run  iteration  train_loss');
  });
});
