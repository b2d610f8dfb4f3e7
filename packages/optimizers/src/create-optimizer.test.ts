import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_LEARNING_RATES, OPTIMIZER_NAMES, SGLD, createOptimizer, isOptimizerName } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('createOptimizer', () => {
  it('builds each named optimizer with its default learning rate, or the one given', () => {
    const classes = { sgd: 'SGD', sgld: 'SGLD', adam: 'Adam', momentum: 'Momentum', rmsprop: 'RMSProp', adagrad: 'Adagrad' };
    for (const name of OPTIMIZER_NAMES) {
      const byDefault = createOptimizer(name);
      expect(byDefault.getClassName()).toBe(classes[name]);
      expect(byDefault.getConfig()['learningRate']).toBe(DEFAULT_LEARNING_RATES[name]);
      expect(createOptimizer(name, { learningRate: 0.25 }).getConfig()['learningRate']).toBe(0.25);
      byDefault.dispose();
    }
    expect(createOptimizer('momentum').getConfig()).toMatchObject({ momentum: 0.9, useNesterov: false });
  });

  it('passes diffusion and seed to SGLD only', () => {
    const s = createOptimizer('sgld', { learningRate: 0.05, diffusion: 1e-3, seed: 7 }) as SGLD;
    expect(s.getConfig()).toEqual({ learningRate: 0.05, diffusion: 1e-3, seed: 7 });
    expect((createOptimizer('sgld') as SGLD).diffusion).toBe(0);
    expect(createOptimizer('adam', { diffusion: 1 }).getConfig()['learningRate']).toBe(0.01);
  });

  it('refuses an unknown name or a bad learning rate, naming the fix', () => {
    expect(() => createOptimizer('nadam' as never)).toThrow(
      'createOptimizer: unknown optimizer "nadam"; choose one of sgd, sgld, adam, momentum, rmsprop, adagrad',
    );
    expect(() => createOptimizer('adam', { learningRate: 0 })).toThrow('createOptimizer(adam): learningRate = 0; use a finite number > 0, e.g. 0.01');
    expect(isOptimizerName('adam')).toBe(true);
    expect(isOptimizerName('Adam')).toBe(false);
  });
});
