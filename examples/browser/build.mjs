// Bundles the page into dist/: index.html, main.js (tfjs, kramers and the charts in one ES module), main.css and the
// tfjs wasm backend's .wasm files. `node build.mjs` (npm run build) or `buildExample()` from a test.
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
export const PAGE_FILES = ['index.html', 'main.js', 'main.css', ...WASM_FILES];

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
 * Builds the page into `outdir` (default dist/ beside this file). `minify` (default true) for a smaller main.js;
 * `fromSource` to bundle the kramers packages from src/ rather than from their dist/.
 */
export async function buildExample({ outdir = join(here, 'dist'), minify = true, fromSource = false } = {}) {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: { main: join(here, 'main.ts') },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: fromSource ? [fromSourcePlugin] : [],
  });
  await copyFile(join(here, 'index.html'), join(outdir, 'index.html'));
  const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const f of WASM_FILES) await copyFile(join(wasmDir, f), join(outdir, f));
  return { outdir, files: PAGE_FILES };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { outdir } = await buildExample();
  console.log(`built ${outdir}`);
}
