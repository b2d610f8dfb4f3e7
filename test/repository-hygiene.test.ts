/**
 * Comments and docs never point outside the repository: the notes and reference material kept beside it are not
 * shipped, so a citation of them is a dead end for every other reader. What the code relies on lives in docs/
 * (docs/tfjs-second-order.md, docs/theory.md) and test/fixtures/shared/.
 *
 * Scans every source and doc file git knows about (tracked, plus new files not yet committed and not ignored):
 * *.ts, *.mjs, *.js and *.md outside node_modules and test/fixtures. Fails with one `path:line: text` per offence.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// Assembled from parts so that this file does not match itself.
const FORBIDDEN: readonly string[] = [
  ['..', 'shared'].join('/'),
  ['', 'work', 'shared'].join('/'),
  ['notes', 'tfjs-internals'].join('/'),
  ['notes', 'theory'].join('/'),
  ['shared', 'notes'].join('/'),
];

const SCANNED = /\.(ts|mjs|js|md)$/;
const EXCLUDED = /(^|\/)node_modules\/|^test\/fixtures\//;

function filesToScan(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const files = [...new Set(out.split('\0').filter((f) => f !== ''))];
  // A file deleted in the working tree but still in the index is not there to read.
  return files.filter((f) => SCANNED.test(f) && !EXCLUDED.test(f) && existsSync(join(ROOT, f))).sort();
}

function offences(file: string): string[] {
  const found: string[] = [];
  readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const lower = text.toLowerCase();
      const hit = FORBIDDEN.find((pattern) => lower.includes(pattern));
      if (hit) found.push(`${file}:${i + 1}: "${hit}" in: ${text.trim()}`);
    });
  return found;
}

it('no source or doc file points to material outside the repository', () => {
  const files = filesToScan();
  // Guard against a scan that silently reads nothing (wrong root, git missing files).
  expect(files).toContain('test/repository-hygiene.test.ts');
  expect(files.length).toBeGreaterThan(50);
  const found = files.flatMap(offences);
  expect(
    found,
    `${found.length} line(s) point outside the repository; cite docs/ or test/fixtures/shared/ instead:\n  ${found.join('\n  ')}\n`,
  ).toEqual([]);
});
