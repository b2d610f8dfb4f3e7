/**
 * `@kramers/core/node`: what only runs in Node (it uses node:fs): tfjs LayersModels as model.json + weights files on
 * the local file system, without tfjs-node. The main entry stays free of Node built-ins so it bundles for browsers.
 */
export { fileSystem, loadModel, saveModel, weightsFileFor } from './model-file.js';
