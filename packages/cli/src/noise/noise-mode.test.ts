import { describe, expect, it } from 'vitest';
import { CliError } from '../cli-error.js';
import { chooseMode, DEFAULT_MINIBATCHES } from './noise-mode.js';

describe('chooseMode', () => {
  // 1000 rows × 1000 parameters × 4 bytes = 3.8 MiB
  it('is exact by default when the per-example matrix fits in --max-memory, sampled when it does not', () => {
    expect(chooseMode(1000, 1000, { maxMemory: 4 })).toMatchObject({ mode: 'exact', samples: DEFAULT_MINIBATCHES });
    const auto = chooseMode(1000, 1000, { maxMemory: 3 });
    expect(auto).toMatchObject({ mode: 'sampled', samples: DEFAULT_MINIBATCHES });
    expect(auto.reason).toBe('the per-example gradients (1000 rows × 1000 parameters, 3.8 MiB) exceed --max-memory 3 MiB');
  });

  it('follows --samples and --exact, and refuses both together or --exact over the cap', () => {
    expect(chooseMode(10, 10, { samples: 300, maxMemory: 1 })).toEqual({ mode: 'sampled', samples: 300, reason: '--samples 300' });
    expect(chooseMode(10, 10, { exact: true, maxMemory: 1 })).toMatchObject({ mode: 'exact', reason: '--exact' });
    expect(() => chooseMode(10, 10, { exact: true, samples: 300, maxMemory: 1 })).toThrow(CliError);
    expect(() => chooseMode(1000, 1000, { exact: true, maxMemory: 3 })).toThrow(
      '--exact needs the per-example gradients (1000 rows × 1000 parameters, 3.8 MiB), more than --max-memory 3 MiB',
    );
  });
});
