#!/usr/bin/env node
// prepack of every package: deletes the build outputs in dist/ whose source in src/ is gone (a renamed or removed
// module), which `tsc -b` never does and `npm pack` would otherwise publish. Only outputs without a source are
// touched, so a test running the built code from this working tree at the same time is not disturbed.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const dist = 'dist';
const output = /\.(js|d\.ts)(\.map)?$/;

function* files(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* files(path);
    else yield path;
  }
}

if (existsSync(dist)) {
  for (const file of files(dist)) {
    if (!output.test(file)) continue;
    const source = join('src', relative(dist, file)).replace(output, '.ts');
    if (existsSync(source)) continue;
    rmSync(file);
    console.error(`prune-stale-dist: removed ${file} (no ${source})`);
  }
}
