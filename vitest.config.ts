import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Tests import packages from source, so `vitest run` needs no build; the CLI end-to-end tests run the built bin.
export default defineConfig({
  resolve: {
    alias: {
      '@kramers/core': pkg('core'),
      '@kramers/optimizers': pkg('optimizers'),
      '@kramers/datasets': pkg('datasets'),
      '@kramers/reporters': pkg('reporters'),
      '@kramers/hvp-estimator': pkg('hvp-estimator'),
      '@kramers/cli': pkg('cli'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
