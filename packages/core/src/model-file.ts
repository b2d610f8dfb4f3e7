import * as tf from '@tensorflow/tfjs';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * tfjs LayersModels on the local file system (model.json + binary weights) in Node, without tfjs-node: the same
 * file layout as tfjs-node's `file://` handler and `tfjs_converter` output.
 */

type WeightEntry = tf.io.WeightsManifestEntry;

/**
 * An IOHandler for `pathToModelJson`. `load` reads the JSON and the weight files its manifest lists (paths
 * relative to the JSON's folder). `save` writes the JSON and one weights file next to it: `weights.bin` for
 * `model.json`, `<stem>.weights.bin` for any other name (so two models in one folder never share a weights file).
 * Each file is written to a temporary name, flushed, then renamed over the target, so neither is ever half-written;
 * the weights are renamed first, so model.json never names weights that are not yet there.
 */
export function fileSystem(pathToModelJson: string): tf.io.IOHandler {
  return {
    load: () => loadArtifacts(pathToModelJson),
    save: (artifacts) => saveArtifacts(pathToModelJson, artifacts),
  };
}

/** Loads a LayersModel; errors name the file, the weight or the unknown class, and the fix. */
export async function loadModel(pathToModelJson: string, options: { strict?: boolean } = {}): Promise<tf.LayersModel> {
  const files = fileSystem(pathToModelJson);
  let artifacts: tf.io.ModelArtifacts | undefined;
  const handler: tf.io.IOHandler = { load: async () => (artifacts = await files.load!()) };
  try {
    return await tf.loadLayersModel(handler, options);
  } catch (e) {
    throw explainLoadError(pathToModelJson, e, artifacts);
  }
}

/**
 * Saves a LayersModel as `pathToModelJson` + its weights file (see `fileSystem`). A compiled model's training config
 * (loss, metrics, optimizer class and settings, not the optimizer's state) is kept by default, so tools that load the
 * file (`kramers curvature`) measure the loss it was trained with; tfjs itself keeps it only with includeOptimizer.
 */
export async function saveModel(
  model: tf.LayersModel,
  pathToModelJson: string,
  options: { includeOptimizer?: boolean; includeTrainingConfig?: boolean } = {},
): Promise<tf.io.SaveResult> {
  const { includeTrainingConfig = true, ...saveConfig } = options;
  const files = fileSystem(pathToModelJson);
  const compiled = model as unknown as { optimizer?: unknown; getTrainingConfig?: () => tf.io.TrainingConfig };
  const withConfig: tf.io.IOHandler = {
    save: (artifacts) =>
      files.save!(
        includeTrainingConfig && artifacts.trainingConfig == null && compiled.optimizer != null && compiled.getTrainingConfig
          ? { ...artifacts, trainingConfig: compiled.getTrainingConfig.call(model) }
          : artifacts,
      ),
  };
  return model.save(withConfig, saveConfig);
}

/** The weights file name `save` pairs with a model JSON path. */
export function weightsFileFor(pathToModelJson: string): string {
  const stem = basename(pathToModelJson).replace(/\.json$/i, '');
  return stem === 'model' ? 'weights.bin' : `${stem}.weights.bin`;
}

async function loadArtifacts(path: string): Promise<tf.io.ModelArtifacts> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read the model file (${describeFsError(e)}); pass the path of a model.json written by model.save`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message}); the model file must be the model.json written by model.save`);
  }
  const modelJson = checkModelJson(path, json);
  return tf.io.getModelArtifactsForJSON(modelJson, (manifest) => readWeights(path, manifest));
}

function checkModelJson(path: string, json: unknown): tf.io.ModelJSON {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error(`${path}: expected a JSON object with modelTopology and weightsManifest, got ${Array.isArray(json) ? 'an array' : String(json)}`);
  }
  const m = json as Record<string, unknown>;
  if (m['modelTopology'] == null || typeof m['modelTopology'] !== 'object') {
    throw new Error(`${path}: no modelTopology object; this is not a tfjs layers-model file (write one with model.save)`);
  }
  const manifest = m['weightsManifest'];
  if (manifest !== undefined) {
    if (!Array.isArray(manifest)) throw new Error(`${path}: weightsManifest must be an array of {paths, weights} groups`);
    manifest.forEach((group: unknown, g) => {
      const gr = group as { paths?: unknown; weights?: unknown } | null;
      if (!gr || !Array.isArray(gr.paths) || !gr.paths.every((p) => typeof p === 'string') || !Array.isArray(gr.weights)) {
        throw new Error(`${path}: weightsManifest[${g}] must be {paths: string[], weights: [...]}`);
      }
      (gr.weights as unknown[]).forEach((w, k) => {
        const e = w as Partial<WeightEntry> | null;
        if (!e || typeof e.name !== 'string' || !Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0) || typeof e.dtype !== 'string') {
          throw new Error(`${path}: weightsManifest[${g}].weights[${k}] must be {name, shape: non-negative integers, dtype}; got ${JSON.stringify(w)}`);
        }
      });
    });
  }
  return json as tf.io.ModelJSON;
}

async function readWeights(path: string, manifest: tf.io.WeightsManifestConfig): Promise<[WeightEntry[], ArrayBuffer]> {
  const dir = dirname(path);
  const specs: WeightEntry[] = [];
  const chunks: Buffer[] = [];
  for (const [g, group] of manifest.entries()) {
    const parts: Buffer[] = [];
    for (const [k, p] of group.paths.entries()) {
      const file = join(dir, p);
      try {
        parts.push(await readFile(file));
      } catch (e) {
        throw new Error(
          `${path}: weights file '${p}' (weightsManifest[${g}].paths[${k}]) cannot be read at ${file} (${describeFsError(e)}); ` +
            `keep the weights files next to the model JSON, as model.save wrote them`,
        );
      }
    }
    const data = Buffer.concat(parts);
    checkGroupBytes(path, g, group, data);
    specs.push(...group.weights);
    chunks.push(data);
  }
  const all = Buffer.concat(chunks);
  return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer];
}

const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/** Walks the group's weights through its bytes, naming the first weight that does not fit. */
function checkGroupBytes(path: string, g: number, group: tf.io.WeightsManifestConfig[number], data: Buffer): void {
  const files = group.paths.join(' + ');
  let offset = 0;
  for (const w of group.weights) {
    const size = w.shape.reduce((a: number, b: number) => a * b, 1);
    const dtype = w.quantization?.dtype ?? w.dtype;
    let bytes: number;
    if (dtype === 'string') {
      // Strings are stored as (uint32 little-endian byte length, bytes) per element.
      bytes = 0;
      for (let k = 0; k < size && offset + bytes + 4 <= data.length; k++) bytes += 4 + data.readUInt32LE(offset + bytes);
    } else {
      const per = BYTES_PER_VALUE[dtype];
      if (per === undefined) throw new Error(`${path}: weight '${w.name}' has unsupported dtype '${dtype}'`);
      bytes = size * per;
    }
    if (offset + bytes > data.length) {
      throw new Error(
        `${path}: weight '${w.name}' (shape [${w.shape.join(', ')}], ${dtype}) needs bytes ${offset}..${offset + bytes} ` +
          `but ${files} holds only ${data.length} bytes; the weights file does not match weightsManifest[${g}] ` +
          `(truncated, or from another model)`,
      );
    }
    offset += bytes;
  }
  if (offset !== data.length) {
    const last = group.weights.at(-1);
    throw new Error(
      `${path}: ${files} holds ${data.length} bytes but weightsManifest[${g}] describes ${offset} ` +
        `(${data.length - offset} extra bytes after ${last ? `the last weight '${last.name}'` : 'an empty weight list'}); ` +
        `the weights file does not match the manifest (from another model?)`,
    );
  }
}

async function saveArtifacts(path: string, artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error(`${path}: cannot save a binary (GraphDef) topology; fileSystem() saves layers models only`);
  }
  const weightsName = weightsFileFor(path);
  const hasWeights = artifacts.weightSpecs != null && artifacts.weightData != null;
  const weightData = hasWeights ? tf.io.CompositeArrayBuffer.join(artifacts.weightData as ArrayBuffer | ArrayBuffer[]) : undefined;
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? 'TensorFlow.js',
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: hasWeights ? [{ paths: [weightsName], weights: artifacts.weightSpecs! }] : [],
  };
  if (artifacts.trainingConfig != null) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature != null) modelJson.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer != null) modelJson.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature != null) modelJson.initializerSignature = artifacts.initializerSignature;

  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const weightsPath = join(dir, weightsName);
  // Refuse before writing anything if a target is a directory: rename would fail after the first file moved.
  for (const target of [path, weightsPath]) {
    const s = await stat(target).catch(() => undefined);
    if (s?.isDirectory()) throw new Error(`${path}: cannot save, ${target} is a directory; choose another model path`);
  }
  const tag = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const pending: Array<[string, string]> = [];
  let renamed = 0;
  try {
    if (weightData) pending.push([await writeDurably(weightsPath + tag, new Uint8Array(weightData)), weightsPath]);
    pending.push([await writeDurably(path + tag, JSON.stringify(modelJson)), path]);
    for (const [tmp, target] of pending) {
      await rename(tmp, target);
      renamed++;
    }
  } catch (e) {
    await Promise.all(pending.slice(renamed).map(([tmp]) => rm(tmp, { force: true })));
    const state =
      renamed === 0
        ? 'the previous files, if any, are unchanged'
        : `${weightsName} was already replaced but ${basename(path)} was not; save again`;
    throw new Error(`${path}: saving failed (${(e as Error).message}); ${state}`, { cause: e });
  }
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

async function writeDurably(file: string, data: Uint8Array | string): Promise<string> {
  const fh = await open(file, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(file, { force: true });
    throw e;
  }
  await fh.close();
  return file;
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return (e as Error).message;
}

// tfjs-layers' deserializer says "Unknown <kind>: <ClassName>. This may be due to ..." (utils/generic_utils.ts).
const UNKNOWN_CLASS = /Unknown ([a-z ]+): ([^\s.]+)\./;

function explainLoadError(path: string, e: unknown, artifacts: tf.io.ModelArtifacts | undefined): Error {
  const message = e instanceof Error ? e.message : String(e);
  const m = UNKNOWN_CLASS.exec(message);
  if (!m) return e instanceof Error ? e : new Error(message);
  const [, reported, cls] = m;
  // Optimizers are deserialized by the layer deserializer too, so tfjs reports them as "Unknown layer".
  const optimizerClass = (artifacts?.trainingConfig?.optimizer_config as { class_name?: unknown } | undefined)?.class_name;
  const kind = reported === 'layer' && optimizerClass === cls ? 'optimizer' : reported;
  if (kind === 'layer') {
    return new Error(
      `${path}: the model uses layer class '${cls}', which tfjs does not know. If it is a custom layer, import its ` +
        `definition and call tf.serialization.registerClass(${cls}) before loading; a Keras layer with no ` +
        `TensorFlow.js counterpart must be ported first`,
      { cause: e },
    );
  }
  if (kind === 'optimizer') {
    return new Error(
      `${path}: the saved training config uses optimizer class '${cls}', which is not registered. For kramers' ` +
        `SGLD call registerOptimizers() from @kramers/optimizers before loading; for another custom optimizer call ` +
        `tf.serialization.registerClass(${cls})`,
      { cause: e },
    );
  }
  return new Error(
    `${path}: the model uses ${kind} class '${cls}', which is not registered; call ` +
      `tf.serialization.registerClass(${cls}) before loading`,
    { cause: e },
  );
}
