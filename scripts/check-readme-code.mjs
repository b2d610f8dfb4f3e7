#!/usr/bin/env node
// Every ```ts block in the READMEs is a program a user may paste: extract each into .readme-check/ and type-check it
// strictly against the built packages, as a user's project would see them. Fragments that are not programs (type
// signatures, shapes) are written as ```text instead.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, '.readme-check');
const readmes = ['README.md'];
for (const dir of ['packages', 'examples']) {
  for (const name of readdirSync(join(root, dir))) {
    const file = join(dir, name, 'README.md');
    if (existsSync(join(root, file))) readmes.push(file);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out);
const files = [];
for (const readme of readmes) {
  const lines = readFileSync(join(root, readme), 'utf8').split('\n');
  let block;
  lines.forEach((line, i) => {
    if (block === undefined && /^```ts\s*$/.test(line)) block = { start: i + 1, lines: [] };
    else if (block !== undefined && /^```\s*$/.test(line)) {
      const name = `${readme.replace(/[/.]/g, '_')}_L${block.start}.ts`;
      // `export {}` makes each block a module (top-level await, no global name clashes between blocks).
      writeFileSync(join(out, name), `// ${readme} line ${block.start}\n${block.lines.join('\n')}\nexport {};\n`);
      files.push(name);
      block = undefined;
    } else if (block !== undefined) block.lines.push(line);
  });
}
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: '../tsconfig.base.json',
    compilerOptions: { noEmit: true, composite: false, declaration: false, declarationMap: false, sourceMap: false, noUnusedLocals: false },
    files,
  }),
);
const tsc = join(root, 'node_modules/.bin/tsc');
const status = spawnSync(tsc, ['-p', join(out, 'tsconfig.json')], { stdio: 'inherit' }).status ?? 1;
console.log(`README code: ${files.length} TypeScript blocks from ${readmes.length} READMEs ${status === 0 ? 'type-check' : 'do NOT type-check'}`);
process.exit(status);
