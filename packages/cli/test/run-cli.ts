import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { main } from '@kramers/cli';

const bin = fileURLToPath(new URL('../bin/kramers.js', import.meta.url));
const run = promisify(execFile);

/** Runs the built `kramers` binary in a child process (killed after `timeoutMs`); never throws on a non-zero exit. */
export async function cli(args: string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Starts the built binary and leaves it running: for tests that signal it. `exited` resolves with its exit code. */
export function startCli(args: string[]): { child: ChildProcessWithoutNullStreams; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [bin, ...args]);
  let err = '';
  child.stderr.on('data', (d) => (err += String(d)));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => err };
}

/** Runs `kramers …args` in this process (the CLI's sources, faster than a child), capturing what it prints. */
export async function kramers(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += String(d)));
  stderr.on('data', (d) => (err += String(d)));
  const code = await main(['node', 'kramers', ...args], { stdout, stderr });
  return { code, out, err };
}

/** Resolves with the first match of `pattern` in `text()`, polled every 50 ms (e.g. a URL a child prints). */
export function waitForMatch(text: () => string, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      const m = pattern.exec(text());
      if (m) {
        clearInterval(poll);
        resolve(m);
      }
    }, 50);
  });
}
