// The publishing fields of every package under packages/, read from disk: what npm, bundlers and users' package
// managers act on. No network; the tarballs themselves are checked by install.test.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  publishedPackages,
  repoRoot,
  rootManifest,
  SHARED_PEERS,
  testedVersions,
  WASM,
  type WorkspacePackage,
} from './workspace.js';

const packages = publishedPackages();
const root = rootManifest();

/** Source files that ship (tests excluded), recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.includes('.test.') ? [path] : [];
  });
}

/** Package names a package's shipped sources import (static, dynamic and type-only), without subpaths. */
function importedPackages(p: WorkspacePackage): Set<string> {
  const names = new Set<string>();
  for (const file of sources(join(p.path, 'src'))) {
    const text = readFileSync(file, 'utf8');
    // A package specifier has no spaces, so a "from '" inside a message string or comment cannot pass for one.
    for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)'(@?[\w-][\w./@-]*)'/gm)) {
      const spec = m[1]!;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      names.add(name);
    }
  }
  return names;
}

const isBuiltin = (name: string): boolean => name.startsWith('node:') || builtinModules.includes(name);

test('the repository has published packages, and root LICENSE and repository to take from', () => {
  expect(packages.map((p) => p.dir)).toEqual(expect.arrayContaining(['core', 'hvp-estimator', 'cli']));
  expect(root.license).toBe('MIT');
  expect(root.repository?.url).toMatch(/^git\+https:\/\//);
  expect(readFileSync(join(repoRoot, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
});

describe.each(packages)('packages/$dir', (p) => {
  const m = p.manifest;

  test('publishes publicly, as an MIT-licensed ES module for Node ≥ 20.19, from its folder of this repository', () => {
    expect(m.name).toBe(`@kramers/${p.dir}`);
    expect(m.type).toBe('module');
    expect(m.license).toBe(root.license);
    expect(readFileSync(join(p.path, 'LICENSE'), 'utf8')).toBe(readFileSync(join(repoRoot, 'LICENSE'), 'utf8'));
    expect(existsSync(join(p.path, 'README.md'))).toBe(true);
    expect(m.repository).toEqual({ type: 'git', url: root.repository?.url, directory: `packages/${p.dir}` });
    expect(m.publishConfig).toEqual({ access: 'public' });
    expect(m.engines).toEqual(root.engines);
    // A tarball carries a build of its current sources (fresh clone or not), without outputs of deleted modules.
    expect(m.scripts?.prepack).toBe('node ../../scripts/prune-stale-dist.mjs && tsc -b');
  });

  test('ships dist and src without tests or build info, and says which files have import side effects', () => {
    expect(m.files).toEqual(expect.arrayContaining(['dist', 'src', '!**/*.test.*', '!**/*.tsbuildinfo']));
    // A bin runs its command when loaded; every library module only declares things until called.
    expect(m.sideEffects).toEqual(m.bin ? Object.values(m.bin) : false);
  });

  test('exports its entry points with types first, and ./package.json', () => {
    const exp = m.exports ?? {};
    expect(exp['./package.json']).toBe('./package.json');
    expect(exp['.']).toEqual({ types: m.types, import: m.main, default: m.main });
    for (const [sub, target] of Object.entries(exp)) {
      if (typeof target === 'string') continue;
      // TypeScript takes the first condition that matches, so "types" must come before "import"/"default".
      expect(Object.keys(target)[0], sub).toBe('types');
      expect(target.types, sub).toMatch(/^\.\/dist\/.*\.d\.ts$/);
    }
  });

  test('takes tfjs and rxjs from the app (peers), the wasm backend optionally, and declares every import', () => {
    const peers = m.peerDependencies ?? {};
    const deps = m.dependencies ?? {};
    const imported = importedPackages(p);
    for (const peer of SHARED_PEERS) {
      expect(peers[peer], peer).toBe(packages[0]!.manifest.peerDependencies?.[peer]);
      expect(deps[peer], `${peer} must not also be a dependency (a second copy)`).toBeUndefined();
    }
    if (imported.has(WASM)) expect(peers[WASM]).toBeDefined();
    if (peers[WASM] !== undefined) {
      // The wasm backend pins tfjs-core to its own version, so the two ranges move together.
      expect(peers[WASM]).toBe(peers['@tensorflow/tfjs']);
      expect(m.peerDependenciesMeta?.[WASM]).toEqual({ optional: true });
    }
    expect(deps[WASM]).toBeUndefined();
    for (const name of imported) {
      if (isBuiltin(name) || name === m.name) continue;
      expect(deps[name] ?? peers[name], `${name} is imported by src/ but not declared`).toBeDefined();
    }
    for (const [name, range] of Object.entries(deps)) {
      const sibling = packages.find((q) => q.manifest.name === name);
      // Caret ranges let an app's package manager share one copy of each library with everything else it uses.
      expect(range, name).toBe(`^${sibling ? sibling.manifest.version : range.replace(/^\^/, '')}`);
      expect(range, name).toMatch(/^\^\d+\.\d+\.\d+$/);
    }
  });
});

test('peer ranges span a major line from a tested floor, and the workspace pins a version inside them', () => {
  for (const peer of SHARED_PEERS) {
    const { floor, pinned } = testedVersions(peer);
    const [fMajor, fMinor, fPatch] = floor.split('.').map(Number) as [number, number, number];
    const [pMajor, pMinor, pPatch] = pinned.split('.').map(Number) as [number, number, number];
    expect(packages[0]!.manifest.peerDependencies?.[peer]).toBe(`>=${floor} <${fMajor + 1}`);
    expect(pMajor, peer).toBe(fMajor);
    expect(pMinor * 1e6 + pPatch >= fMinor * 1e6 + fPatch, `${peer} ${pinned} below the floor ${floor}`).toBe(true);
  }
  // The wasm backend must match tfjs exactly (its peer on tfjs-core is exact).
  expect(root.devDependencies?.[WASM]).toBe(root.devDependencies?.['@tensorflow/tfjs']);
});

test('inversify’s peer reflect-metadata is a dependency of core, so strict package managers install it too', () => {
  // @inversifyjs/container imports reflect-metadata/lite but only lists it as a peer, and inversify does not pass it
  // on: npm installs such peers by itself, pnpm and `--legacy-peer-deps` do not, and core then fails to load.
  const core = packages.find((p) => p.dir === 'core')!.manifest;
  expect(core.dependencies?.['reflect-metadata']).toMatch(/^\^0\.2\./);
});

test('READMEs quote the peer ranges the manifests declare', () => {
  const readmes = [join(repoRoot, 'README.md'), ...packages.map((p) => join(p.path, 'README.md'))].filter(existsSync);
  for (const peer of SHARED_PEERS) {
    const floor = testedVersions(peer).floor.split('.').slice(0, 2).join('.');
    const quoted = new RegExp(`\`${peer.replace('/', '\\/')}\` \\((\\d+\\.\\d+) or later`, 'g');
    for (const file of readmes) {
      const where = `${relative(repoRoot, file)}: ${peer}`;
      for (const m of readFileSync(file, 'utf8').matchAll(quoted)) expect(m[1], where).toBe(floor);
    }
  }
});
