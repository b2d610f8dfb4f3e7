import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (name: string, file: string) => fileURLToPath(new URL(`./packages/${name}/src/${file}.ts`, import.meta.url));

// Tests import packages from source, so `vitest run` needs no build; the CLI end-to-end tests run the built bin.
export default defineConfig({
  resolve: {
    // Exact-match patterns, so a subpath such as '@kramers/core/node' is not read as a file under index.ts.
    alias: [
      { find: /^@kramers\/core\/node$/, replacement: src('core', 'node') },
      ...['core', 'optimizers', 'datasets', 'reporters', 'hvp-estimator', 'sgn-collector', 'valley-detector', 'escape-tracker', 'replicas', 'dashboard', 'experiments', 'queue', 'redis-bus', 'cli'].map((name) => ({
        find: new RegExp(`^@kramers/${name}$`),
        replacement: src(name, 'index'),
      })),
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
