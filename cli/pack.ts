import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import ts from 'typescript';

/**
 * `syncbell pack`: turns the workspaces into packages people can install. In the repository each
 * package's `exports` point at its .ts sources (tsx, vitest, esbuild and tsc read them); a
 * published package needs JavaScript and `.d.ts`. One TypeScript program over every package's
 * entry points compiles what they reach (bare `@syncbell/*` imports stay as they are), each
 * package is staged with its `exports` rewritten to the compiled files, and `npm pack` makes the
 * tarballs. The package list is the root `workspaces` field minus private packages, so a new
 * workspace joins by being listed there.
 */

export const REPO_ROOT = resolve(new URL('..', import.meta.url).pathname);

export interface PackOptions {
  /** Staging directory (gitignored). @default <repo>/.pack */
  outDir?: string;
  /** Repository root. @default the checkout this file is in */
  root?: string;
}

export interface PackedPackage {
  name: string;
  version: string;
  /** The workspace folder, relative to the repository root (`shared/client`). */
  dir: string;
  /** The staged package folder. */
  stageDir: string;
  /** Absolute path of the tarball `npm pack` wrote. */
  tarball: string;
}

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

export interface Workspace {
  dir: string;
  manifest: PackageJson;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** The root `workspaces` entries (plain folders, or `folder/*`) that hold a package.json. */
export function listWorkspaces(root = REPO_ROOT): Workspace[] {
  const patterns = readJson<{ workspaces?: string[] }>(join(root, 'package.json')).workspaces ?? [];
  const dirs = patterns.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => posix.join(parent, entry.name));
  });
  return dirs
    .filter((dir) => existsSync(join(root, dir, 'package.json')))
    .map((dir) => ({ dir, manifest: readJson<PackageJson>(join(root, dir, 'package.json')) }));
}

/** The workspaces that get published: every one not marked `private`. */
export function publicWorkspaces(root = REPO_ROOT): Workspace[] {
  return listWorkspaces(root).filter((workspace) => workspace.manifest.private !== true);
}

/** Every string target in an `exports` value (a string, or conditions nested in objects). */
function targets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(targets);
  return [];
}

/** The files one export target names; a `*` target expands to the matching files of its folder. */
function expandTarget(packageDir: string, target: string): string[] {
  if (!target.includes('*')) return [join(packageDir, target)];
  const [prefix = '', suffix = ''] = target.split('*');
  const slash = prefix.lastIndexOf('/');
  const folder = join(packageDir, prefix.slice(0, slash + 1));
  const head = prefix.slice(slash + 1);
  return readdirSync(folder)
    .filter((name) => name.startsWith(head) && name.endsWith(suffix) && !name.endsWith(`.test${suffix}`))
    .map((name) => join(folder, name));
}

/** The TypeScript sources a workspace exports, and the folder they share (`src`, or the package root). */
export function exportedSources(root: string, workspace: Workspace): { files: string[]; sourceRoot: string } {
  const packageDir = join(root, workspace.dir);
  const tsTargets = targets(workspace.manifest.exports ?? {}).filter((target) => target.endsWith('.ts'));
  if (tsTargets.length === 0) throw new Error(`${workspace.manifest.name}: no .ts entry in "exports"`);
  const dirs = tsTargets.map((target) => posix.dirname(posix.normalize(target)).split('/'));
  const common: string[] = [];
  for (let i = 0; dirs.every((parts) => parts[i] !== undefined && parts[i] === dirs[0]?.[i]); i++) {
    common.push(dirs[0]?.[i] as string);
  }
  // A wildcard's folder (`src/handlers`) counts by its parent path, so `src` stays the root.
  return {
    files: tsTargets.flatMap((target) => expandTarget(packageDir, target)),
    sourceRoot: common.length === 0 ? '.' : common.join('/'),
  };
}

/** Rewrites one `exports` target: `./src/x.ts` becomes `{ types, default }` under `./dist`; others stay. */
function rewriteTarget(target: string, sourceRoot: string): unknown {
  if (!target.endsWith('.ts')) return target;
  const inRoot = posix.relative(sourceRoot, posix.normalize(target)).replace(/\.ts$/, '');
  return { types: `./dist/${inRoot}.d.ts`, default: `./dist/${inRoot}.js` };
}

function rewriteExports(value: unknown, sourceRoot: string): unknown {
  if (typeof value === 'string') return rewriteTarget(value, sourceRoot);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, rewriteExports(inner, sourceRoot)]),
    );
  }
  return value;
}

/**
 * `sideEffects` as bundlers read it (false, or the files that have one) for the compiled files: a
 * `./src/x.ts` entry becomes `./dist/x.js`, the file that runs once published.
 */
function rewriteSideEffects(value: unknown, sourceRoot: string): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((file: unknown) =>
    typeof file === 'string' && file.endsWith('.ts')
      ? (rewriteTarget(file, sourceRoot) as { default: string }).default
      : file,
  );
}

/** The package.json a staged package ships: compiled `exports` and `sideEffects`, `files`, no repository-only fields. */
export function publishedManifest(workspace: Workspace, sourceRoot: string): PackageJson {
  const { devDependencies: _dev, scripts: _scripts, exports = {}, ...rest } = workspace.manifest;
  const assets = targets(exports).filter((target) => !target.endsWith('.ts'));
  return {
    ...rest,
    ...('sideEffects' in rest ? { sideEffects: rewriteSideEffects(rest.sideEffects, sourceRoot) } : {}),
    exports: rewriteExports(exports, sourceRoot) as Record<string, unknown>,
    files: ['dist', ...assets.map((asset) => posix.normalize(asset))],
  };
}

function formatDiagnostics(diagnostics: readonly ts.Diagnostic[], root: string): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  });
}

/** Compiles every workspace's entry points (and what they import) to ESM + `.d.ts` under `buildDir`. */
function compile(root: string, rootNames: string[], buildDir: string): void {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(formatDiagnostics([diagnostic], root));
      },
    },
  );
  if (!config) throw new Error('cannot read tsconfig.json');
  const program = ts.createProgram(rootNames, {
    ...config.options,
    noEmit: false,
    declaration: true,
    sourceMap: false,
    rootDir: root,
    outDir: buildDir,
  });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics];
  if (diagnostics.length > 0) throw new Error(`tsc:\n${formatDiagnostics(diagnostics, root)}`);
}

/** Builds, stages and packs every public workspace; returns the tarballs. */
export async function packWorkspaces({
  root = REPO_ROOT,
  outDir,
}: PackOptions = {}): Promise<PackedPackage[]> {
  const out = resolve(outDir ?? join(root, '.pack'));
  const buildDir = join(out, 'build');
  const tarballDir = join(out, 'tarballs');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(tarballDir, { recursive: true });

  const workspaces = publicWorkspaces(root).map((workspace) => ({
    workspace,
    ...exportedSources(root, workspace),
  }));
  compile(
    root,
    workspaces.flatMap(({ files }) => files),
    buildDir,
  );

  // Every emitted file must belong to a package: one outside all of them means a package reached
  // out of its folder by a relative path (the boundary test says which).
  const emitted = readdirSync(buildDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(buildDir, join(entry.parentPath, entry.name)));
  const stray = emitted.filter((file) => !listWorkspaces(root).some(({ dir }) => file.startsWith(`${dir}/`)));
  if (stray.length > 0) throw new Error(`compiled files outside every package: ${stray.join(', ')}`);

  const packed: PackedPackage[] = [];
  for (const { workspace, sourceRoot } of workspaces) {
    const { name, version } = workspace.manifest;
    const stageDir = join(out, 'stage', name.replace(/^@/, '').replace('/', '-'));
    const manifest = publishedManifest(workspace, sourceRoot);
    cpSync(join(buildDir, workspace.dir, sourceRoot), join(stageDir, 'dist'), { recursive: true });
    for (const asset of (manifest.files as string[]).filter((file) => file !== 'dist')) {
      cpSync(join(root, workspace.dir, asset), join(stageDir, asset));
    }
    writeFileSync(join(stageDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const { stdout } = await promisify(execFile)(
      'npm',
      ['pack', '--json', '--ignore-scripts', '--pack-destination', tarballDir],
      { cwd: stageDir },
    );
    const [result] = JSON.parse(stdout) as { filename: string }[];
    if (!result) throw new Error(`npm pack wrote nothing for ${name}`);
    packed.push({ name, version, dir: workspace.dir, stageDir, tarball: join(tarballDir, result.filename) });
  }
  rmSync(buildDir, { recursive: true, force: true });
  return packed;
}

export async function runPack(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { outdir: { type: 'string' } } });
  const packed = await packWorkspaces({ outDir: values.outdir });
  for (const { name, tarball } of packed) {
    process.stdout.write(`${name}\t${relative(process.cwd(), tarball)}\n`);
  }
  return 0;
}
