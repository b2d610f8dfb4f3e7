import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createDataset } from './create-dataset.js';
import { loadDataset } from './embedded.js';
import { subset } from './subset.js';
import { toTensors } from './tensors.js';

const wine = loadDataset('wine');

describe('toTensors', () => {
  it('gives float32 features and one-hot float32 labels for the chosen rows, and leaks nothing', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const idx = Int32Array.from([0, 177, 60]);
    const { x, y } = toTensors(wine, idx);
    expect(x.shape).toEqual([3, 13]);
    expect(y.shape).toEqual([3, 3]);
    expect([x.dtype, y.dtype]).toEqual(['float32', 'float32']);
    expect(Array.from(x.dataSync())).toEqual(Array.from(subset(wine, idx).features));
    expect(Array.from(y.dataSync())).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0]); // labels 0, 2, 1
    tf.dispose([x, y]);
    const all = toTensors(wine);
    expect(all.x.shape).toEqual([178, 13]);
    expect(tf.tidy(() => all.y.sum().arraySync())).toBe(178);
    tf.dispose(all);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => toTensors(wine, [178])).toThrow('toTensors(wine): indices[0] = 178 is not a row index in 0..177');
  });

  it('gives regression targets as they are, [rows, targetCount]', async () => {
    await tf.setBackend('cpu');
    const reg = createDataset({
      name: 'two-targets',
      featureNames: ['a'],
      features: Float32Array.of(1, 2, 3),
      targetNames: ['u', 'v'],
      targets: Float64Array.of(0.5, -1, 1e30, 7, 0.1, 2),
    });
    const { x, y } = toTensors(reg, [2, 0]);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(x.dataSync())).toEqual([3, 1]);
    expect(Array.from(y.dataSync())).toEqual([0.1, 2, 0.5, -1].map(Math.fround));
    tf.dispose([x, y]);
  });
});
