// What the packaging tests share: the repository's published packages as their manifests declare them, and a way to
// run commands as a user's shell would, outside this repository.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  type?: string;
  main?: string;
  types?: string;
  repository?: { type?: string; url?: string; directory?: string };
  exports?: Record<string, string | Record<string, string>>;
  bin?: Record<string, string>;
  sideEffects?: boolean | string[];
  files?: string[];
  engines?: Record<string, string>;
  publishConfig?: Record<string, string>;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

export const readManifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

export const rootManifest = (): Manifest => readManifest(repoRoot);

export interface WorkspacePackage {
  /** Folder name under packages/. */
  readonly dir: string;
  readonly path: string;
  readonly manifest: Manifest;
}

/** Every non-private package under packages/, read now (a package added later is covered without editing a list). */
export function publishedPackages(): WorkspacePackage[] {
  const base = join(repoRoot, 'packages');
  return readdirSync(base)
    .filter((dir) => existsSync(join(base, dir, 'package.json')))
    .map((dir) => ({ dir, path: join(base, dir), manifest: readManifest(join(base, dir)) }))
    .filter((p) => p.manifest.private !== true);
}

/** The peers every published package shares with the app that installs it: one copy each, chosen by the app. */
export const SHARED_PEERS = ['@tensorflow/tfjs', 'rxjs'] as const;
export const WASM = '@tensorflow/tfjs-backend-wasm';

/**
 * Versions a peer range is tested with: its floor (the range is written `>=floor <nextMajor`, so the oldest release
 * it admits is the one tested) and the exact version the workspace develops against (the root devDependency).
 */
export function testedVersions(peer: string): { floor: string; pinned: string } {
  const range = publishedPackages()[0]!.manifest.peerDependencies?.[peer] ?? '';
  const floor = /^>=(\d+\.\d+\.\d+) <\d+$/.exec(range)?.[1];
  const pinned = rootManifest().devDependencies?.[peer];
  if (floor === undefined || pinned === undefined || !/^\d+\.\d+\.\d+$/.test(pinned)) {
    throw new Error(`${peer}: want a peer range ">=x.y.z <major" and an exact root devDependency; got "${range}", "${pinned}"`);
  }
  return { floor, pinned };
}

/**
 * The environment of a user's shell: no npm_* variables (under `npm test` they carry this repository's prefix and
 * config, which a child npm would act on) and nothing vitest sets for its own workers.
 */
export function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(npm_|vitest|tinypool)/i.test(k) || k === 'INIT_CWD' || k === 'NODE_OPTIONS' || k === 'NODE_ENV') continue;
    env[k] = v;
  }
  return env;
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a command to completion without throwing on a non-zero exit, so a test can show its output. */
export function run(cmd: string, args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: userEnv(), timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err == null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr), ms: performance.now() - started });
    });
  });
}

/** A failed command's exit code and output, for an assertion message. */
export const describeRun = (what: string, r: Run): string =>
  `${what} exited ${r.code}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
