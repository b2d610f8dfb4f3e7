import { afterEach, describe, expect, it, vi } from 'vitest';
import { PassThrough } from 'node:stream';
import { Subject } from 'rxjs';
import type { KramersEvent } from '@kramers/core';
import { progressReporter } from './progress.js';

function capture(tty = false) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  if (tty) {
    stream.isTTY = true;
    stream.columns = 120;
  }
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return { stream, text: () => text };
}

const loss = (runId: string, iteration: number, value: number): KramersEvent => ({
  kind: 'metric', runId, iteration, plugin: 'train', name: 'loss', value, wallTime: 0,
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('progressReporter without a TTY', () => {
  it('prints one compact line per run each N %, with the run id, counter, loss and shown metrics', () => {
    const out = capture();
    const events$ = new Subject<KramersEvent>();
    const progress = progressReporter({
      runs: [{ id: 'sgd', total: 10 }, { id: 'adam', total: 10 }],
      stream: out.stream,
      everyPercent: 50,
    });
    events$.subscribe(progress.observer);
    for (let i = 0; i < 10; i++) {
      progress.tick('sgd', i, 1 / (i + 1)); // loss from the StepEvent
      if (i === 6) events$.next({ kind: 'metric', runId: 'sgd', iteration: i, plugin: 'hvp', name: 'lambda_max', value: 12.3456, wallTime: 0 });
      if (i < 7) events$.next(loss('adam', i, 2 * (i + 1))); // loss (and progress) from the metric stream alone
    }
    // Another session's run on the shared stream is ignored.
    events$.next(loss('other', 3, 7));
    events$.next({ kind: 'plugin-error', runId: 'adam', iteration: 6, plugin: 'hvp', phase: 'step', message: 'NaN in HVP', wallTime: 0 });
    events$.complete(); // stops the reporter: adam gets a final line, sgd has nothing new to say


    expect(out.text()).toBe(
      [
        'sgd    5/10   50%  loss 0.2',
        'adam   5/10   50%  loss 10',
        'sgd   10/10  100%  loss 0.1  lambda_max 12.35',
        'adam: plugin hvp failed (step, iteration 6) and is switched off: NaN in HVP',
        'adam   7/10   70%  loss 14',
        '',
      ].join('\n'),
    );
  });

  it('prints a last line at stop when values arrived after the run\'s last printed line', () => {
    const out = capture();
    const progress = progressReporter({ runs: [{ id: 'sgd', total: 2 }], stream: out.stream, everyPercent: 100 });
    progress.tick('sgd', 1);
    // Plugins emit a step's metrics after the step itself, so the 100 % line went out without this loss.
    progress.observer.next(loss('sgd', 1, 0.5));
    progress.stop();
    expect(out.text()).toBe('sgd  2/2  100%  loss —\nsgd  2/2  100%  loss 0.5\n');
  });

  it('prints a final line for a run that never started and ignores ticks after stop', () => {
    const out = capture();
    const progress = progressReporter({ runs: [{ id: 'sgld', total: 3 }], stream: out.stream });
    progress.stop();
    progress.tick('sgld', 1);
    progress.stop();
    expect(out.text()).toBe('sgld  0/3    0%  loss —\n');
  });

  it('writes to stderr by default, never to stdout', () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const progress = progressReporter({ runs: [{ id: 'sgd', total: 2 }], tty: false });
    progress.tick('sgd', 0, 0.5);
    progress.tick('sgd', 1, 0.25);
    progress.stop();
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual(['sgd  1/2   50%  loss 0.5\n', 'sgd  2/2  100%  loss 0.25\n']);
  });

  it('rejects bad runs and ticks with messages that name the field', () => {
    const out = capture();
    expect(() => progressReporter({ runs: [], stream: out.stream })).toThrow(/runs must be a non-empty array/);
    expect(() => progressReporter({ runs: [{ id: 'a', total: 0 }], stream: out.stream })).toThrow(/runs\[0\]\.total \(run "a"\) must be an integer ≥ 1, got 0/);
    expect(() => progressReporter({ runs: [{ id: 'a', total: 1 }, { id: 'a', total: 1 }], stream: out.stream })).toThrow(/appears twice/);
    const progress = progressReporter({ runs: [{ id: 'a', total: 1 }], stream: out.stream });
    expect(() => progress.tick('b', 0)).toThrow(/unknown runId "b"; the runs are "a"/);
    expect(() => progress.tick('a', -1)).toThrow(/iteration must be an integer ≥ 0/);
    progress.stop();
  });
});

describe('progressReporter on a TTY', () => {
  it('draws a cli-progress bar per run and leaves the final state on stop', () => {
    const out = capture(true);
    const progress = progressReporter({ runs: [{ id: 'sgd', total: 4 }, { id: 'sgld', total: 4 }], stream: out.stream, show: ['hvp/lambda_max'] });
    progress.tick('sgd', 1, 0.5);
    progress.observer.next({ kind: 'metric', runId: 'sgd', iteration: 1, plugin: 'hvp', name: 'lambda_max', value: 3, wallTime: 0 });
    progress.tick('sgld', 3, 0.125);
    progress.stop();
    // eslint-disable-next-line no-control-regex
    const plain = out.text().replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    expect(plain).toContain('sgd  [============------------] 2/4  50%  loss 0.5  hvp/lambda_max 3');
    expect(plain).toContain('sgld [========================] 4/4 100%  loss 0.125');
  });
});
