/**
 * The package boundaries, checked by dependency-cruiser over every workspace listed in the root
 * package.json (of the directory depcruise runs in, so test/cli/boundaries.test.ts can run
 * the same rules over a fixture with deliberate violations).
 *
 * Run: npx depcruise --config .dependency-cruiser.cjs --output-type err $(workspace folders)
 * (`npm run lint` does; the test does too).
 *
 * Workspace imports (`@syncbell/contract` from another package) resolve through npm's symlink to
 * the workspace folder, which dependency-cruiser classifies as "undetermined" unless it merges
 * every package.json up the tree (`combinedDependencies`), and merging would hide an undeclared
 * third-party import behind the root's dependencies. So the rules about packages of ours are
 * written per workspace, from the workspaces' own package.json files, by path.
 */
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

/** Packages that ship to browsers: no Node built-ins, no server package. */
const BROWSER_SAFE = ['@syncbell/contract', '@syncbell/client'];
/**
 * What the harnesses share (tests, chaos, benchmarks, the local stacks): development tooling that
 * is never published, so no package may import it (a package's own local/ folder may: it is
 * excluded below, as it does not ship).
 */
const DEV_TOOLS = 'dev-tools';
/** The two deployment variants: neither may import the other. */
const VARIANTS = ['@syncbell/socketio', '@syncbell/apigw'];

const root = process.cwd();
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const workspaces = (readJson(join(root, 'package.json')).workspaces ?? [])
  .filter((dir) => existsSync(join(root, dir, 'package.json')))
  .map((dir) => ({ dir, manifest: readJson(join(root, dir, 'package.json')) }));

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const folder = (dir) => `^${escapeRegExp(dir)}/`;
const folders = (dirs) => (dirs.length === 0 ? '^$' : `^(${dirs.map(escapeRegExp).join('|')})/`);
const dirsOf = (names) => workspaces.filter((w) => names.includes(w.manifest.name)).map((w) => w.dir);
const browserDirs = dirsOf(BROWSER_SAFE);
const serverDirs = workspaces.map((w) => w.dir).filter((dir) => !browserDirs.includes(dir));

const perWorkspace = workspaces.flatMap(({ dir, manifest }) => {
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const undeclared = workspaces
    .filter((other) => other.dir !== dir && !declared.has(other.manifest.name))
    .map((other) => other.dir);
  return [
    {
      name: 'no-relative-import-out-of-package',
      comment: `${manifest.name} (${dir}) imports a file outside its folder by a relative path: import the package by name`,
      severity: 'error',
      from: { path: folder(dir) },
      to: { dependencyTypes: ['local'], pathNot: folder(dir) },
    },
    {
      name: 'no-undeclared-workspace-package',
      comment: `${manifest.name} imports a package of ours its package.json does not list in dependencies or peerDependencies`,
      severity: 'error',
      from: { path: folder(dir) },
      to: { path: folders(undeclared) },
    },
  ];
});

module.exports = {
  forbidden: [
    {
      name: 'no-node-builtins-in-browser',
      comment: `${BROWSER_SAFE.join(' and ')} run in browsers: no Node built-in modules`,
      severity: 'error',
      from: { path: folders(browserDirs) },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-server-package-in-browser',
      comment: `${BROWSER_SAFE.join(' and ')} run in browsers: they never import a server package`,
      severity: 'error',
      from: { path: folders(browserDirs) },
      to: { path: folders(serverDirs) },
    },
    ...VARIANTS.map((variant) => {
      const others = dirsOf(VARIANTS.filter((name) => name !== variant));
      return {
        name: 'no-cross-variant',
        comment: `${variant} must not import the other variant (${VARIANTS.filter((name) => name !== variant).join(', ')})`,
        severity: 'error',
        from: { path: folders(dirsOf([variant])) },
        to: { path: folders(others) },
      };
    }),
    {
      name: 'no-dev-tools-in-package',
      comment: `a package imports ${DEV_TOOLS}/, the harnesses' tooling, which is never published: its users would not have it`,
      severity: 'error',
      from: { path: folders(workspaces.map((w) => w.dir)) },
      to: { path: folder(DEV_TOOLS) },
    },
    ...perWorkspace,
    {
      name: 'not-to-unresolvable',
      comment: 'an import that does not resolve (a typo, or a package that is not installed)',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      comment:
        "a third-party module the importing package's own package.json does not list (it works in the repository only because the root installs it)",
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-dev-dep',
      comment: 'a package imports a devDependency: its users will not have it installed',
      severity: 'error',
      from: { path: folders(workspaces.map((w) => w.dir)) },
      to: { dependencyTypes: ['npm-dev'] },
    },
  ],
  options: {
    // Local-only tooling (the local stacks) and tests live in the package folders but never ship.
    // Anchored to the workspace folders: excluded modules drop out of the graph, and with them the
    // third-party imports no-non-package-json checks (`dist/` unanchored would hide jose's).
    // `.esbuild/` is serverless-esbuild's build output, written and deleted while a local API
    // Gateway stack starts or stops: a scan during a test run met a file removed under it (CI, ENOENT).
    exclude: {
      path: [`${folders(workspaces.map((w) => w.dir))}local/`, '\\.test\\.ts$', '(^|/)\\.esbuild/'],
    },
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: they end up in the published .d.ts files.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'node', 'default'],
      extensions: ['.ts', '.d.ts', '.js', '.json'],
    },
  },
};
