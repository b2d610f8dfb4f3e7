#!/usr/bin/env node
// `npm test`: build (the CLI tests run the built binary), run vitest over every package, then print the
// plain summary line "N passed, N failed" that CI logs are read for. Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: false }).status ?? 1;

const bin = (name) => `node_modules/.bin/${name}`;
if (run(bin('tsc'), ['-b']) !== 0) {
  console.log('0 passed, 1 failed: the TypeScript build failed');
  process.exit(1);
}
// Test files, examples and benchmarks are outside the package builds; type-check them against the built packages.
if (run(bin('tsc'), ['-p', 'tsconfig.tests.json']) !== 0) {
  console.log('0 passed, 1 failed: test, example or benchmark sources do not type-check');
  process.exit(1);
}
// Every TypeScript block in the READMEs must compile against the built packages, as a user's copy would.
if (run(process.execPath, ['scripts/check-readme-code.mjs']) !== 0) {
  console.log('0 passed, 1 failed: a TypeScript block in a README does not type-check');
  process.exit(1);
}
const report = '.vitest-report.json';
rmSync(report, { force: true });
const status = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile=${report}`, ...process.argv.slice(2)]);
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`\ntests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
  rmSync(report, { force: true });
}
process.exit(status);
