import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileSystem, loadModel, saveModel, weightsFileFor } from './model-file.js';

// The shared reference models (test/fixtures/shared/reference, or KRAMERS_SHARED): float64 values computed
// independently.
const SHARED = process.env['KRAMERS_SHARED'] ?? fileURLToPath(new URL('../../../test/fixtures/shared/', import.meta.url));
const CASES = ['banknote-mlp', 'wine-mlp'] as const;
const caseDir = (c: string) => join(SHARED, 'reference', c);

let tmp: string;
beforeAll(async () => {
  if (!existsSync(SHARED)) throw new Error(`reference material not found at ${SHARED}; set KRAMERS_SHARED`);
  await tf.setBackend('cpu');
  tmp = await mkdtemp(join(tmpdir(), 'kramers-model-file-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Tiny CSV reader for data.csv (header, float32-exact features, integer label last). */
async function readData(c: string): Promise<{ x: Float32Array; y: Int32Array; rows: number; cols: number }> {
  const lines = (await readFile(join(caseDir(c), 'data.csv'), 'utf8')).trimEnd().split('\n');
  const cols = lines[0]!.split(',').length - 1;
  const rows = lines.length - 1;
  const x = new Float32Array(rows * cols);
  const y = new Int32Array(rows);
  lines.slice(1).forEach((line, i) => {
    const v = line.split(',').map(Number);
    for (let j = 0; j < cols; j++) x[i * cols + j] = v[j]!;
    y[i] = v[cols]!;
  });
  return { x, y, rows, cols };
}

function flatWeights(model: tf.LayersModel): Float32Array {
  const parts = model.getWeights().map((w) => w.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function rawWeights(file: string): Promise<Float32Array> {
  const b = await readFile(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

describe('loadModel on the shared reference models', () => {
  for (const c of CASES) {
    it(`${c}: weights equal weights.bin; −mean log p[y] on data.csv matches reference.json loss`, async () => {
      const ref = JSON.parse(await readFile(join(caseDir(c), 'reference.json'), 'utf8')) as {
        loss: number;
        n: number;
        model: { param_layout: Array<{ name: string; shape: number[]; offset: number; size: number }> };
      };
      const model = await loadModel(join(caseDir(c), 'model.json'));
      const raw = await rawWeights(join(caseDir(c), 'weights.bin'));
      expect(raw.length).toBe(ref.n);
      expect(flatWeights(model)).toEqual(raw);
      // Each tensor sits at the offset and shape the reference's param_layout gives.
      const weights = model.getWeights();
      ref.model.param_layout.forEach((p, k) => {
        expect(weights[k]!.shape).toEqual(p.shape);
        expect(weights[k]!.dataSync()).toEqual(raw.subarray(p.offset, p.offset + p.size));
      });

      const { x, y, rows, cols } = await readData(c);
      const probs = tf.tidy(() => (model.predict(tf.tensor2d(x, [rows, cols])) as tf.Tensor).dataSync());
      const k = probs.length / rows;
      let sum = 0;
      for (let i = 0; i < rows; i++) sum -= Math.log(probs[i * k + y[i]!]!);
      const loss = sum / rows;
      const rel = Math.abs(loss - ref.loss) / ref.loss;
      // reference/README.md: tf.js float32 reproduces the float64 loss to 8.6e-8 (banknote) and 1.2e-8 (wine).
      expect(rel).toBeLessThan(1e-6);
      console.log(`${c}: tfjs loss ${loss.toPrecision(12)} vs reference ${ref.loss.toPrecision(12)}, rel. diff ${rel.toExponential(2)}`);
      model.dispose();
    });
  }
});

describe('saveModel', () => {
  it('round trip gives identical weights, a byte-identical weights.bin and no temporary files', async () => {
    const model = await loadModel(join(caseDir('banknote-mlp'), 'model.json'));
    const out = join(tmp, 'rt', 'model.json'); // the folder does not exist yet
    const result = await saveModel(model, out);
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(1544);
    expect((await readdir(join(tmp, 'rt'))).sort()).toEqual(['model.json', 'weights.bin']);
    expect(await readFile(join(tmp, 'rt', 'weights.bin'))).toEqual(await readFile(join(caseDir('banknote-mlp'), 'weights.bin')));
    const json = JSON.parse(await readFile(out, 'utf8')) as tf.io.ModelJSON;
    expect(json.weightsManifest).toEqual([{ paths: ['weights.bin'], weights: expect.any(Array) }]);
    const again = await loadModel(out);
    expect(flatWeights(again)).toEqual(flatWeights(model));

    // Saving again over it replaces both files in place.
    const w = model.getWeights();
    model.setWeights(w.map((t, k) => (k === 1 ? tf.add(t, 1) : t)));
    await saveModel(model, out);
    expect((await readdir(join(tmp, 'rt'))).sort()).toEqual(['model.json', 'weights.bin']);
    expect(flatWeights(await loadModel(out))).toEqual(flatWeights(model));
  });

  it('keeps the optimizer when asked (trainingConfig + optimizer weights)', async () => {
    const model = await loadModel(join(caseDir('wine-mlp'), 'model.json'));
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const { x, y, rows, cols } = await readData('wine-mlp');
    const ys = tf.oneHot(tf.tensor1d(y, 'int32'), 3);
    await model.fit(tf.tensor2d(x, [rows, cols]), ys, { epochs: 1, batchSize: 64, verbose: 0 });
    const out = join(tmp, 'opt', 'wine.json');
    await saveModel(model, out, { includeOptimizer: true });
    expect(weightsFileFor(out)).toBe('wine.weights.bin');
    expect((await readdir(join(tmp, 'opt'))).sort()).toEqual(['wine.json', 'wine.weights.bin']);
    const loaded = await loadModel(out);
    expect(loaded.optimizer.getClassName()).toBe('Adam');
    expect(loaded.optimizer.iterations).toBe(3);
    expect(flatWeights(loaded)).toEqual(flatWeights(model));
  });

  it('keeps a compiled model\'s training config without its optimizer state, so the loaded model is compiled with the same loss', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3] })] });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const out = join(tmp, 'cfg', 'model.json');
    await saveModel(model, out);
    const json = JSON.parse(await readFile(out, 'utf8')) as { trainingConfig?: { loss: string }; weightsManifest: { weights: { name: string }[] }[] };
    expect(json.trainingConfig?.loss).toBe('mean_squared_error');
    expect(json.weightsManifest[0]!.weights).toHaveLength(2); // kernel and bias only: no optimizer state
    const loaded = await loadModel(out);
    expect((loaded as unknown as { loss: unknown }).loss).toBe('meanSquaredError');
    await saveModel(model, join(tmp, 'cfg', 'bare.json'), { includeTrainingConfig: false });
    expect(JSON.parse(await readFile(join(tmp, 'cfg', 'bare.json'), 'utf8')).trainingConfig).toBeUndefined();
  });

  it('reads sharded weights (several paths in one manifest group)', async () => {
    const dir = join(tmp, 'shards');
    await mkdir(dir);
    const json = JSON.parse(await readFile(join(caseDir('wine-mlp'), 'model.json'), 'utf8')) as tf.io.ModelJSON;
    const bytes = await readFile(join(caseDir('wine-mlp'), 'weights.bin'));
    await writeFile(join(dir, 'a.bin'), bytes.subarray(0, 100));
    await writeFile(join(dir, 'b.bin'), bytes.subarray(100));
    json.weightsManifest[0]!.paths = ['a.bin', 'b.bin'];
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    expect(flatWeights(await loadModel(join(dir, 'model.json')))).toEqual(await rawWeights(join(caseDir('wine-mlp'), 'weights.bin')));
  });
});

describe('errors', () => {
  async function fixture(name: string, edit?: (json: Record<string, unknown>) => void, weights?: (b: Buffer) => Buffer) {
    const dir = join(tmp, name);
    await mkdir(dir, { recursive: true });
    const json = JSON.parse(await readFile(join(caseDir('banknote-mlp'), 'model.json'), 'utf8')) as Record<string, unknown>;
    edit?.(json);
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    const b = await readFile(join(caseDir('banknote-mlp'), 'weights.bin'));
    if (weights) await writeFile(join(dir, 'weights.bin'), weights(b));
    else await copyFile(join(caseDir('banknote-mlp'), 'weights.bin'), join(dir, 'weights.bin'));
    return join(dir, 'model.json');
  }

  it('missing model.json', async () => {
    const p = join(tmp, 'nowhere', 'model.json');
    await expect(loadModel(p)).rejects.toThrow(
      `${p}: cannot read the model file (no such file); pass the path of a model.json written by model.save`,
    );
  });

  it('invalid JSON', async () => {
    const p = join(tmp, 'bad.json');
    await writeFile(p, '{"modelTopology": {');
    await expect(loadModel(p)).rejects.toThrow(`${p}: not valid JSON (`);
    await writeFile(p, '[1, 2]');
    await expect(loadModel(p)).rejects.toThrow(`${p}: expected a JSON object with modelTopology and weightsManifest, got an array`);
    await writeFile(p, '{"format": "layers-model"}');
    await expect(loadModel(p)).rejects.toThrow(`${p}: no modelTopology object; this is not a tfjs layers-model file`);
  });

  it('missing weights file names the file and the manifest entry', async () => {
    const p = await fixture('noweights', (j) => {
      (j['weightsManifest'] as Array<{ paths: string[] }>)[0]!.paths = ['missing.bin'];
    });
    await expect(loadModel(p)).rejects.toThrow(
      `${p}: weights file 'missing.bin' (weightsManifest[0].paths[0]) cannot be read at ${join(tmp, 'noweights', 'missing.bin')} (no such file)`,
    );
  });

  it('wrong byte length names the weight', async () => {
    const short = await fixture('short', undefined, (b) => b.subarray(0, b.length - 4));
    await expect(loadModel(short)).rejects.toThrow(
      `${short}: weight 'dense3/bias' (shape [2], float32) needs bytes 1536..1544 but weights.bin holds only 1540 bytes; ` +
        'the weights file does not match weightsManifest[0] (truncated, or from another model)',
    );
    const long = await fixture('long', undefined, (b) => Buffer.concat([b, Buffer.alloc(8)]));
    await expect(loadModel(long)).rejects.toThrow(
      `${long}: weights.bin holds 1552 bytes but weightsManifest[0] describes 1544 (8 extra bytes after the last weight 'dense3/bias')`,
    );
    const reshaped = await fixture('reshaped', (j) => {
      (j['weightsManifest'] as Array<{ weights: Array<{ shape: number[] }> }>)[0]!.weights[0]!.shape = [40, 16];
    });
    await expect(loadModel(reshaped)).rejects.toThrow(
      `${reshaped}: weight 'dense1/kernel' (shape [40, 16], float32) needs bytes 0..2560 but weights.bin holds only 1544 bytes`,
    );
  });

  it('unknown layer class names the class and the fix', async () => {
    const p = await fixture('customlayer', (j) => {
      const topo = j['modelTopology'] as { config: { layers: Array<{ class_name: string }> } };
      topo.config.layers[1]!.class_name = 'MyDense';
    });
    await expect(loadModel(p)).rejects.toThrow(
      `${p}: the model uses layer class 'MyDense', which tfjs does not know. If it is a custom layer, import its ` +
        'definition and call tf.serialization.registerClass(MyDense) before loading',
    );
  });

  it('unregistered optimizer class names the class and the fix', async () => {
    const p = await fixture('customopt', (j) => {
      j['trainingConfig'] = { loss: 'categorical_crossentropy', optimizer_config: { class_name: 'SGLD', config: { learningRate: 0.1 } } };
    });
    await expect(loadModel(p)).rejects.toThrow(
      `${p}: the saved training config uses optimizer class 'SGLD', which is not registered. For kramers' SGLD call ` +
        'registerOptimizers() from @kramers/optimizers before loading',
    );
  });

  it('a save that cannot complete writes nothing', async () => {
    const dir = join(tmp, 'failsave');
    await mkdir(join(dir, 'model.json'), { recursive: true }); // a directory where the file should go
    const model = await loadModel(join(caseDir('wine-mlp'), 'model.json'));
    await expect(saveModel(model, join(dir, 'model.json'))).rejects.toThrow(
      `${join(dir, 'model.json')}: cannot save, ${join(dir, 'model.json')} is a directory; choose another model path`,
    );
    expect(await readdir(dir)).toEqual(['model.json']);
    expect(await readdir(join(dir, 'model.json'))).toEqual([]);
  });

  it('fileSystem() is a plain IOHandler usable with tf.loadLayersModel and model.save', async () => {
    const handler = fileSystem(join(caseDir('wine-mlp'), 'model.json'));
    const model = await tf.loadLayersModel(handler);
    expect(model.layers.map((l) => l.name)).toEqual(['dense1', 'dense2']);
    const out = join(tmp, 'plain', 'model.json');
    await model.save(fileSystem(out));
    expect(flatWeights(await tf.loadLayersModel(fileSystem(out)))).toEqual(flatWeights(model));
  });
});
