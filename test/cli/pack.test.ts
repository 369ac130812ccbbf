import { describe, expect, it } from 'vitest';
import {
  exportedSources,
  publicWorkspaces,
  publishedManifest,
  REPO_ROOT,
  type Workspace,
} from '../../cli/pack.js';

const apigwLike: Workspace = {
  dir: 'apigw-websocket',
  manifest: {
    name: '@syncbell/apigw',
    version: '0.1.0',
    sideEffects: false,
    scripts: { test: 'vitest' },
    devDependencies: { vitest: '*' },
    exports: {
      '.': './src/index.ts',
      './handlers/*': './src/handlers/*.ts',
      './schema.json': './syncbell.schema.json',
    },
    dependencies: { zod: '^4' },
  },
};

describe('syncbell pack: the published package.json', () => {
  it('points each .ts export at its compiled file and types under dist, wildcards included', () => {
    const manifest = publishedManifest(apigwLike, 'src');
    expect(manifest.exports).toEqual({
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './handlers/*': { types: './dist/handlers/*.d.ts', default: './dist/handlers/*.js' },
      './schema.json': './syncbell.schema.json',
    });
  });

  it('ships dist and the exported JSON, keeps sideEffects and dependencies, drops scripts and devDependencies', () => {
    const manifest = publishedManifest(apigwLike, 'src');
    expect(manifest.files).toEqual(['dist', 'syncbell.schema.json']);
    expect(manifest).toMatchObject({ sideEffects: false, dependencies: { zod: '^4' } });
    expect(manifest).not.toHaveProperty('scripts');
    expect(manifest).not.toHaveProperty('devDependencies');
  });

  it('points sideEffects at the compiled files, so a bundler keeps an entry that registers on import', () => {
    const nestjsLike: Workspace = {
      dir: 'nestjs',
      manifest: {
        ...apigwLike.manifest,
        name: '@syncbell/nestjs',
        sideEffects: ['./src/socketio.ts', '*.css'],
      },
    };

    expect(publishedManifest(nestjsLike, 'src').sideEffects).toEqual(['./dist/socketio.js', '*.css']);
    // And @syncbell/nestjs declares its socket.io entry, the one file with a side effect.
    const nestjs = publicWorkspaces().find(({ manifest }) => manifest.name === '@syncbell/nestjs');
    expect(nestjs?.manifest.sideEffects).toEqual(['./src/socketio.ts']);
  });

  it('compiles from the folder the exports share: src/ for the API Gateway variant, the package root where exports span folders (shared/, @syncbell/socketio with its container/)', () => {
    const roots = Object.fromEntries(
      publicWorkspaces().map((workspace) => [
        workspace.dir,
        exportedSources(REPO_ROOT, workspace).sourceRoot,
      ]),
    );
    expect(roots).toMatchObject({
      'shared/contract': '.',
      'shared/client': '.',
      // src/ (the library) and container/ (@syncbell/socketio/container): dist/src and dist/container.
      'ecs-socketio': '.',
      'apigw-websocket': 'src',
    });
  });
});
