import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBoundaries } from '../../cli/boundaries.js';
import { REPO_ROOT } from '../../cli/pack.js';

const manifest = (name: string, dependencies: Record<string, string> = {}, entry = './index.ts') =>
  JSON.stringify({ name, version: '0.0.0', type: 'module', exports: { '.': entry }, dependencies });

/**
 * A small copy of the repository's layout (same package names and folders) in which every rule
 * is broken once, plus one import that breaks none. Written to a temp dir with the symlinks npm
 * workspaces make, so dependency-cruiser resolves it as it resolves the real tree.
 */
const VIOLATIONS: Record<string, string> = {
  'package.json': JSON.stringify({
    name: 'fixture',
    private: true,
    workspaces: ['shared/contract', 'shared/client', 'shared/server', 'ecs-socketio', 'apigw-websocket'],
  }),
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
  'shared/contract/package.json': manifest('@syncbell/contract'),
  'shared/contract/index.ts': "import { createHash } from 'node:crypto';\nexport const hash = createHash;\n",
  'shared/client/package.json': manifest('@syncbell/client', { '@syncbell/contract': '0.0.0' }),
  'shared/client/index.ts': "export { sign } from '@syncbell/server';\nexport { ok } from './ok.js';\n",
  'shared/client/ok.ts': "export { hash as ok } from '@syncbell/contract';\n",
  'shared/server/package.json': manifest('@syncbell/server'),
  'shared/server/index.ts':
    "import { z } from 'zod';\nimport 'no-such-module';\nexport const sign = z.string();\n",
  'ecs-socketio/package.json': manifest(
    '@syncbell/socketio',
    { '@syncbell/apigw': '0.0.0' },
    './src/index.ts',
  ),
  'ecs-socketio/src/index.ts': "export * from '@syncbell/apigw';\nexport * from './dev.js';\n",
  // The harnesses' tooling is not a package: no package may import it, even by a relative path.
  'ecs-socketio/src/dev.ts': "export { freePort } from '../../dev-tools/index.js';\n",
  'dev-tools/index.ts': 'export const freePort = 0;\n',
  'apigw-websocket/package.json': manifest('@syncbell/apigw', {}, './src/index.ts'),
  'apigw-websocket/src/index.ts': "export * from '../../shared/contract/index.js';\n",
};

describe('package boundaries (dependency-cruiser, .dependency-cruiser.cjs)', () => {
  const fixture = mkdtempSync(join(tmpdir(), 'syncbell-boundaries-'));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it('hold in the repository', async () => {
    expect(await checkBoundaries()).toEqual([]);
  });

  it('fail on each kind of violation, and only on the violating imports', async () => {
    for (const [file, content] of Object.entries(VIOLATIONS)) {
      mkdirSync(dirname(join(fixture, file)), { recursive: true });
      writeFileSync(join(fixture, file), content);
    }
    mkdirSync(join(fixture, 'node_modules/@syncbell'), { recursive: true });
    for (const [name, dir] of [
      ['contract', 'shared/contract'],
      ['client', 'shared/client'],
      ['server', 'shared/server'],
      ['socketio', 'ecs-socketio'],
      ['apigw', 'apigw-websocket'],
    ]) {
      symlinkSync(join(fixture, dir as string), join(fixture, 'node_modules/@syncbell', name as string));
    }
    // A real third-party package, installed but not declared by the package that imports it.
    symlinkSync(join(REPO_ROOT, 'node_modules/zod'), join(fixture, 'node_modules/zod'));

    // A symlinked package resolves to its real path; only the part from node_modules/ on matters.
    const found = (await checkBoundaries(fixture)).map(
      ({ rule, from, to }) => `${rule}: ${from} -> ${to.replace(/^.*?node_modules\//, 'node_modules/')}`,
    );

    expect(found.sort()).toEqual(
      [
        'no-node-builtins-in-browser: shared/contract/index.ts -> crypto',
        'no-server-package-in-browser: shared/client/index.ts -> shared/server/index.ts',
        'no-undeclared-workspace-package: shared/client/index.ts -> shared/server/index.ts',
        'no-cross-variant: ecs-socketio/src/index.ts -> apigw-websocket/src/index.ts',
        'no-relative-import-out-of-package: apigw-websocket/src/index.ts -> shared/contract/index.ts',
        'no-dev-tools-in-package: ecs-socketio/src/dev.ts -> dev-tools/index.ts',
        'no-relative-import-out-of-package: ecs-socketio/src/dev.ts -> dev-tools/index.ts',
        'no-undeclared-workspace-package: apigw-websocket/src/index.ts -> shared/contract/index.ts',
        'no-non-package-json: shared/server/index.ts -> node_modules/zod/index.d.cts',
        'not-to-unresolvable: shared/server/index.ts -> no-such-module',
      ].sort(),
    );
  });
});
