// @kramers/core and @kramers/hvp-estimator bundle for the browser: their main entries, resolved through the
// packages' exports to the built dist/ files a user installs, pull in no Node built-in, directly or through a
// dependency. esbuild on platform 'browser' refuses to resolve `node:*` and bare built-ins ('fs'), so a build that
// succeeds is the transitive check.
import { build, type BuildFailure } from 'esbuild';
import { describe, expect, test } from 'vitest';
import { repoRoot, SHARED_PEERS, WASM } from './workspace.js';

// The peers stay external: the app's bundler resolves them once for the whole app (that they are browser-ready is
// tfjs's and rxjs's business). Everything kramers ships or brings in itself (ajv, inversify, reflect-metadata, …)
// is bundled, because that is what it adds to a user's page.
const external = [...SHARED_PEERS, WASM];

async function bundle(source: string) {
  return build({
    stdin: { contents: source, resolveDir: repoRoot, loader: 'js', sourcefile: 'app.js' },
    absWorkingDir: repoRoot,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    external,
  });
}

describe('browser bundle (esbuild, platform browser, esm)', () => {
  test('core and hvp-estimator bundle with no Node built-in anywhere in the graph', async () => {
    const result = await bundle("export * as core from '@kramers/core';\nexport * as hvp from '@kramers/hvp-estimator';");
    const inputs = Object.keys(result.metafile.inputs);
    // Resolved through the packages' exports to what a user installs, not to the TypeScript sources.
    expect(inputs).toContain('packages/core/dist/index.js');
    expect(inputs).toContain('packages/hvp-estimator/dist/index.js');
    expect(inputs.filter((i) => i.startsWith('packages/') && !i.includes('/dist/'))).toEqual([]);
    const text = result.outputFiles[0]!.text;
    // A string literal starting with "node:" would be a built-in loaded some other way (createRequire, eval).
    expect(text.match(/["'`]node:[^"'`]*/g) ?? []).toEqual([]);
    // The peers are imported, never inlined.
    expect(inputs.filter((i) => /node_modules\/(@tensorflow|rxjs)\//.test(i))).toEqual([]);
  });

  test('control: the Node-only entry @kramers/core/node is refused for the same reason', async () => {
    const failure = await bundle("export * from '@kramers/core/node';").then(
      () => undefined,
      (e: unknown) => e as BuildFailure,
    );
    expect(failure?.errors.map((e) => e.text).join('\n')).toMatch(/node:(fs|path|crypto)/);
  });
});
