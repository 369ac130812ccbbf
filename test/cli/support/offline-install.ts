import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { type PackedPackage, REPO_ROOT } from '../../../cli/pack.js';

/**
 * Installs packed tarballs into an empty project with `npm ci --offline`, so the test needs no
 * registry and installs the exact versions the repository is tested with.
 *
 * `npm install --offline <tarballs>` does not work from a cache `npm ci` filled: `npm ci` fetches
 * tarballs by the lockfile's integrity and never the registry's package documents, which a
 * resolving install needs. So the project gets a lockfile: the tarballs, the extra packages asked
 * for, and everything they need, copied from the repository's package-lock.json (each entry's
 * integrity is what the cache is keyed by). No library writes a lockfile from another one, hence
 * this module.
 */

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

/** The lockfile key Node's resolution reaches for `name` required from the package at `from`. */
function resolveKey(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const key = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (packages[key]) return key;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/** The dependencies npm installs for an entry: regular, optional, and non-optional peers. */
function wanted(entry: LockEntry): { name: string; optional: boolean }[] {
  const peers = Object.keys(entry.peerDependencies ?? {}).map((name) => ({
    name,
    optional: entry.peerDependenciesMeta?.[name]?.optional === true,
  }));
  return [
    ...Object.keys(entry.dependencies ?? {}).map((name) => ({ name, optional: false })),
    ...Object.keys(entry.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
    ...peers,
  ];
}

export interface OfflineInstallOptions {
  /** The empty project's folder (outside the repository). */
  dir: string;
  packed: PackedPackage[];
  /** Other packages the project depends on, by name, at the repository's locked version. */
  dependencies?: string[];
  devDependencies?: string[];
  /** The project's npm `overrides`, as an app would write them. @default none */
  overrides?: Record<string, unknown>;
}

/** Writes package.json and package-lock.json into `dir` and runs `npm ci --offline` there. */
export async function installOffline({
  dir,
  packed,
  dependencies = [],
  devDependencies = [],
  overrides,
}: OfflineInstallOptions): Promise<void> {
  const repoLock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as Lockfile;
  const repo = repoLock.packages;
  const lock: Record<string, LockEntry> = {};
  const byName = new Map(packed.map((pkg) => [pkg.name, pkg]));

  mkdirSync(join(dir, 'tarballs'), { recursive: true });
  const queue: { key: string; from: string; entry: LockEntry }[] = [];
  for (const pkg of packed) {
    const file = `tarballs/${basename(pkg.tarball)}`;
    copyFileSync(pkg.tarball, join(dir, file));
    const manifest = JSON.parse(readFileSync(join(pkg.stageDir, 'package.json'), 'utf8')) as LockEntry;
    const entry: LockEntry = {
      version: pkg.version,
      resolved: `file:${file}`,
      integrity: `sha512-${createHash('sha512').update(readFileSync(pkg.tarball)).digest('base64')}`,
      ...(manifest.dependencies ? { dependencies: manifest.dependencies } : {}),
      ...(manifest.peerDependencies ? { peerDependencies: manifest.peerDependencies } : {}),
      ...(manifest.peerDependenciesMeta ? { peerDependenciesMeta: manifest.peerDependenciesMeta } : {}),
    };
    const key = `node_modules/${pkg.name}`;
    lock[key] = entry;
    // Its dependencies resolve as they do in the repository, from its workspace folder.
    queue.push({ key, from: pkg.dir, entry });
  }

  const versionOf = (name: string) => {
    const entry = repo[`node_modules/${name}`];
    if (!entry?.version) throw new Error(`${name} is not in the repository's package-lock.json`);
    return entry.version;
  };
  const rootDeps = Object.fromEntries([
    ...packed.map((pkg) => [pkg.name, `file:tarballs/${basename(pkg.tarball)}`]),
    ...dependencies.map((name) => [name, versionOf(name)]),
  ]);
  const rootDevDeps = Object.fromEntries(devDependencies.map((name) => [name, versionOf(name)]));
  for (const name of [...dependencies, ...devDependencies]) {
    queue.push({ key: '', from: '', entry: { dependencies: { [name]: '*' } } });
  }

  // A workspace's own nested node_modules move under the package's place in the new tree.
  const relocate = (repoKey: string) => {
    const owner = packed.find((pkg) => repoKey.startsWith(`${pkg.dir}/node_modules/`));
    return owner ? `node_modules/${owner.name}/${repoKey.slice(owner.dir.length + 1)}` : repoKey;
  };

  while (queue.length > 0) {
    const { from, entry } = queue.shift() as (typeof queue)[number];
    for (const { name, optional } of wanted(entry)) {
      if (byName.has(name)) continue;
      const repoKey = resolveKey(repo, from, name);
      const found = repoKey === undefined ? undefined : repo[repoKey];
      if (repoKey === undefined || !found || found.link) {
        if (optional) continue;
        throw new Error(`${name} (needed from ${from || 'the project'}) is not in package-lock.json`);
      }
      const key = relocate(repoKey);
      if (lock[key]) continue;
      // Flags describe the repository's tree (dev, peer): dropped, npm works them out again.
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...copy } = found;
      lock[key] = copy;
      queue.push({ key, from: repoKey, entry: found });
    }
  }

  const manifest = {
    name: 'syncbell-consumer',
    version: '0.0.0',
    private: true,
    type: 'module',
    dependencies: rootDeps,
    devDependencies: rootDevDeps,
    ...(overrides ? { overrides } : {}),
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(
    join(dir, 'package-lock.json'),
    `${JSON.stringify(
      {
        name: manifest.name,
        version: manifest.version,
        lockfileVersion: 3,
        requires: true,
        packages: { '': manifest, ...lock },
      },
      null,
      2,
    )}\n`,
  );

  try {
    await promisify(execFile)(
      'npm',
      ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
      { cwd: dir, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const {
      stdout = '',
      stderr = '',
      message,
    } = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm ci --offline failed in ${dir}:\n${message}\n${stdout}\n${stderr}`);
  }
}
