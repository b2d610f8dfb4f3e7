// Bundles the pages into dist/: index.html, main.js (tfjs, kramers and the charts in one ES module), main.css, the
// tfjs wasm backend's .wasm files, and tfvis.html with tfvis.js (the same run drawn in the tfjs-vis visor). `node build.mjs` (npm run build) or `buildExample()` from a test.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The three builds tfjs-backend-wasm picks from (plain, SIMD, threaded SIMD); setWasmPaths points next to main.js. */
export const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** What dist/ holds after a build: every file the page needs and the only files serve.mjs sends. */
export const PAGE_FILES = ['index.html', 'main.js', 'main.css', 'tfvis.html', 'tfvis.js', ...WASM_FILES];

/**
 * The kramers packages the page imports, bundled from their TypeScript sources instead of their built dist/ (tests use
 * this, so the page runs the same code as the Node side of the test without a `tsc -b` first).
 */
const fromSourcePlugin = {
  name: 'kramers-from-source',
  setup(build) {
    build.onResolve({ filter: /^@kramers\/(core|hvp-estimator|optimizers)$/ }, (args) => ({
      path: join(here, '..', '..', 'packages', args.path.slice('@kramers/'.length), 'src', 'index.ts'),
    }));
  },
};

/**
 * One tfjs-core in the bundle. tfjs-vis `require()`s '@tensorflow/tfjs-core', and for a require esbuild picks the
 * package's CommonJS `main` (its Node build) while tfjs imports the ES module: two copies would then share one global
 * engine with two sets of classes, and gradients through kramers' probe come back null. Both go to the ES module.
 */
const oneTfjsCorePlugin = {
  name: 'one-tfjs-core',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs-core$/ }, () => ({
      path: join(dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist', 'index.js'),
    }));
  },
};

/**
 * Builds the page into `outdir` (default dist/ beside this file). `minify` (default true) for a smaller main.js;
 * `fromSource` to bundle the kramers packages from src/ rather than from their dist/.
 */
export async function buildExample({ outdir = join(here, 'dist'), minify = true, fromSource = false } = {}) {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: { main: join(here, 'main.ts'), tfvis: join(here, 'tfvis.ts') },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: fromSource ? [oneTfjsCorePlugin, fromSourcePlugin] : [oneTfjsCorePlugin],
  });
  for (const page of ['index.html', 'tfvis.html']) await copyFile(join(here, page), join(outdir, page));
  const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const f of WASM_FILES) await copyFile(join(wasmDir, f), join(outdir, f));
  return { outdir, files: PAGE_FILES };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { outdir } = await buildExample();
  console.log(`built ${outdir}`);
}
