// The packages as users get them: `npm pack` every published package, install the tarballs with tfjs and rxjs from
// the npm registry into a fresh project outside this repository, and use them there as a user would: a
// type-checked script that instruments model.fit with the sharpness plugin, a seeded app that imports kramers, and
// the `kramers` bin. Twice: with the versions the workspace pins and with the oldest ones the peer ranges admit.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeRun, publishedPackages, repoRoot, run, testedVersions, WASM, type Run } from './workspace.js';

const packages = publishedPackages();
const tfjs = testedVersions('@tensorflow/tfjs');
const rxjs = testedVersions('rxjs');
const matrix = [
  { tfjs: tfjs.pinned, rxjs: rxjs.pinned },
  { tfjs: tfjs.floor, rxjs: rxjs.floor },
];
const fixture = join(repoRoot, 'test', 'packaging', 'app');
const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
// The user's default npm cache, shared with the repository's own `npm ci`: the pinned tfjs is already in it, and a
// second run of this test downloads nothing. --prefer-offline skips revalidating what the cache holds.
const npmFlags = ['--no-audit', '--no-fund', '--prefer-offline'];

interface Packed {
  name: string;
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

let work = '';
let packed: Packed[] = [];
let tarballs: string[] = [];

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} kB`;

beforeAll(async () => {
  // Outside the repository, so nothing resolves through its node_modules or its workspaces.
  work = mkdtempSync(join(tmpdir(), 'kramers-packaging-'));
  const dest = join(work, 'tarballs');
  mkdirSync(dest);
  const workspaces = packages.flatMap((p) => ['-w', `packages/${p.dir}`]);
  const r = await run('npm', ['pack', '--json', '--pack-destination', dest, ...workspaces], repoRoot, 180_000);
  expect(r.code, describeRun('npm pack', r)).toBe(0);
  packed = JSON.parse(r.stdout) as Packed[];
  tarballs = packed.map((p) => join(dest, p.filename));
  const sizes = packed.map((p) => `  ${p.filename}: ${kb(p.size)} (${kb(p.unpackedSize)} unpacked, ${p.files.length} files)`);
  console.log(`npm pack: ${(r.ms / 1000).toFixed(1)} s\n${sizes.join('\n')}`);
}, 180_000);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

test('each tarball holds what a user needs: built code with types and maps, sources, README, LICENSE', () => {
  expect(packed.map((p) => p.name).sort()).toEqual(packages.map((p) => p.manifest.name).sort());
  for (const { manifest: m } of packages) {
    const files = packed.find((q) => q.name === m.name)!.files.map((f) => f.path);
    const extraFolders = (m.files ?? []).filter((f) => !f.startsWith('!') && f !== 'dist' && f !== 'src');
    const unexpected = files.filter(
      (f) =>
        !['package.json', 'README.md', 'LICENSE'].includes(f) &&
        !/^dist\/.+\.(js|d\.ts)(\.map)?$/.test(f) &&
        !/^src\/.+\.ts$/.test(f) &&
        !extraFolders.some((folder) => f.startsWith(`${folder}/`)),
    );
    expect(unexpected, m.name).toEqual([]);
    expect(files.filter((f) => /\.test\.|tsbuildinfo/.test(f)), m.name).toEqual([]);
    const exportTargets = Object.values(m.exports ?? {}).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)));
    const targets = [m.main!, m.types!, ...Object.values(m.bin ?? {}), ...exportTargets].map((t) => t.replace(/^\.\//, ''));
    for (const target of ['package.json', 'README.md', 'LICENSE', ...targets]) {
      expect(files, `${m.name} lacks ${target}`).toContain(target);
    }
    // A dist file without its source is left over from a renamed or deleted module (prepack prunes them).
    const sourceOf = (f: string): string => f.replace(/^dist\//, 'src/').replace(/\.(js|d\.ts)(\.map)?$/, '.ts');
    const stale = files.filter((f) => f.startsWith('dist/') && !files.includes(sourceOf(f)));
    expect(stale, `${m.name}: stale build output`).toEqual([]);
  }
  const datasets = packed.find((p) => p.name === '@kramers/datasets');
  if (datasets) expect(datasets.files.map((f) => f.path)).toContain('data/banknote.csv');
});

interface CurvatureJson {
  eigenvalues: number[];
}

interface CompareJson {
  backend: string;
  runs: { final: { loss: number }; metrics: Record<string, { value: number }>; errors: unknown[] }[];
}

// Concurrently: most of each is npm waiting on the network and the cache.
test.concurrent.each(matrix)(
  'installed with @tensorflow/tfjs $tfjs and rxjs $rxjs: one tfjs, λ_max from fit with sharpness, a seeded app left bit-identical, the kramers bin',
  async (versions) => {
    const dir = join(work, `app-tfjs-${versions.tfjs}`);
    mkdirSync(dir);
    for (const f of readdirSync(fixture)) copyFileSync(join(fixture, f), join(dir, f));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'kramers-user-app', private: true, type: 'module' }));
    const timings: string[] = [];
    const stderrs: [string, string][] = [];
    const step = async (what: string, cmd: string, args: string[], timeoutMs?: number): Promise<Run> => {
      const r = await run(cmd, args, dir, timeoutMs);
      timings.push(`${what} ${(r.ms / 1000).toFixed(1)} s`);
      stderrs.push([what, r.stderr]);
      expect(r.code, describeRun(what, r)).toBe(0);
      return r;
    };
    const node = async (what: string, script: string): Promise<Record<string, unknown>> => {
      const r = await step(what, process.execPath, [script]);
      return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    };

    const peers = [`@tensorflow/tfjs@${versions.tfjs}`, `${WASM}@${versions.tfjs}`, `rxjs@${versions.rxjs}`];
    const install = await step('npm install', 'npm', ['install', '--save-exact', ...npmFlags, ...tarballs, ...peers], 180_000);
    // Peers out of range show up as ERESOLVE warnings (or errors) rather than a failed install.
    expect(install.stderr).not.toMatch(/ERESOLVE|peer dep/i);

    // Exactly one tfjs-core, the app's; then (the exit code) no missing or invalid dependency anywhere.
    const core = await step('npm ls tfjs-core', 'npm', ['ls', '@tensorflow/tfjs-core', '--all', '--parseable']);
    expect([...new Set(core.stdout.trim().split('\n'))]).toEqual([join(dir, 'node_modules', '@tensorflow', 'tfjs-core')]);
    const tfjsCore = JSON.parse(readFileSync(join(dir, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8'));
    expect(tfjsCore.version).toBe(versions.tfjs);
    // Every @kramers package is a tarball, at the top (a registry package of the same name would be someone else's).
    const all = await step('npm ls --all', 'npm', ['ls', '--all', '--parseable']);
    const kramers = new Set(all.stdout.trim().split('\n').filter((l) => l.includes('@kramers')));
    expect([...kramers].map((l) => relative(dir, l)).sort()).toEqual(packages.map((p) => join('node_modules', p.manifest.name)).sort());

    // The README-shaped script type-checks against the published declarations, as a strict TypeScript user's would.
    await step('tsc', process.execPath, [tsc, '-p', '.']);

    const fit = await node('instrumented fit', 'out/instrumented.js');
    expect(fit).toMatchObject({ backend: 'wasm', tfjs: versions.tfjs, steps: 24, errors: [] });
    expect(fit.lambdaMax).toBeGreaterThan(0);
    expect(Number.isFinite(fit.lambdaMax)).toBe(true);
    expect((fit.selfTest as { failures: string[] }).failures).toEqual([]);
    // The saved model through the installed command, on the probe rows: the same model, rows and loss as the
    // library's last measurement, which sharpness takes at the final weights when fit ends.
    expect(fit.lambdaIteration).toBe((fit.steps as number) - 1);
    writeFileSync(join(dir, 'probe.csv'), `${String(fit.csv)}\n`);
    const curvature = ['curvature', '--model', 'model/model.json', '--data', 'probe.csv', '--top-k', '1', '--json'];
    const saved = JSON.parse((await step('npx kramers curvature', 'npx', ['--no', 'kramers', ...curvature])).stdout) as CurvatureJson;
    expect(Math.abs(saved.eigenvalues[0]! / (fit.lambdaMax as number) - 1)).toBeLessThan(1e-3);

    const plain = await node('seeded app', 'out/plain.js');
    const withKramers = await node('seeded app importing kramers', 'out/with-core.js');
    const control = await node('seeded app, one extra draw', 'out/control.js');
    expect(withKramers).toEqual(plain);
    expect(control.initial).not.toBe(plain.initial);

    const compare = ['compare', '--epochs', '1', '--optimizers', 'sgd', '--json', '--no-progress'];
    const doc = JSON.parse((await step('npx kramers compare', 'npx', ['--no', 'kramers', ...compare])).stdout) as CompareJson;
    expect(doc.backend).toBe('wasm');
    expect(doc.runs).toHaveLength(1);
    expect(doc.runs[0]!.errors).toEqual([]);
    expect(Number.isFinite(doc.runs[0]!.final.loss)).toBe(true);
    expect(doc.runs[0]!.metrics['sharpness/lambda_max']!.value).toBeGreaterThan(0);

    // The wasm backend is an optional peer: without it kramers falls back to cpu (once is enough to show that).
    if (versions.tfjs === tfjs.pinned) {
      await step('npm uninstall wasm', 'npm', ['uninstall', ...npmFlags, WASM], 180_000);
      expect(existsSync(join(dir, 'node_modules', WASM))).toBe(false);
      const cpu = await node('instrumented fit without wasm', 'out/instrumented.js');
      expect(cpu).toMatchObject({ backend: 'cpu', errors: [] });
      expect(cpu.lambdaMax).toBeGreaterThan(0);
    }

    // A second tfjs copy announces itself with "kernel … already registered" and "platform … already set".
    for (const [what, stderr] of stderrs) expect(stderr, what).not.toMatch(/already (been )?(registered|set)/i);
    console.log(`tfjs ${versions.tfjs}, rxjs ${versions.rxjs}: ${timings.join(', ')}`);
  },
  300_000,
);
