import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The user-style CDK app (test/fixtures/user-cdk-app/app.ts: imported VPC and cluster, the
 * constructs from `@syncbell/cdk` by package name, cdk-nag as a validation plugin), run in its own
 * process from a directory of the caller's choosing: the fixture folder itself (the workspace's
 * @syncbell/cdk, test/infra/user-app.test.ts) or a project where the packed tarballs are installed
 * (test/cli/pack-install.test.ts).
 */
export const USER_APP_FIXTURE = fileURLToPath(new URL('../../fixtures/user-cdk-app/', import.meta.url));
/** What the fixture is made of: copy these into another directory to run it there. */
export const USER_APP_FILES = ['app.ts', 'calendar-api'];

/** tsx's loader from the repository's node_modules, by absolute URL: it need not be installed where the app runs. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface Synth {
  code: number;
  stdout: string;
  stderr: string;
  outdir: string;
}

const outdirs: string[] = [];

/** Runs `node --import tsx <args>` in `dir` with a fresh CDK_OUTDIR (removed by `removeSynthOutputs`). */
export async function synthUserApp(
  dir: string,
  extraEnv: Record<string, string> = {},
  args = ['app.ts'],
): Promise<Synth> {
  const outdir = mkdtempSync(join(tmpdir(), 'syncbell-user-app-'));
  outdirs.push(outdir);
  return promisify(execFile)(process.execPath, ['--import', TSX, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CDK_OUTDIR: outdir, ...extraEnv },
    timeout: 240_000,
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr, outdir }),
    (error: { code: number; stdout: string; stderr: string }) => ({ ...error, outdir }),
  );
}

export function removeSynthOutputs(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
const resourcesOf = (outdir: string, stack: string): Resources =>
  JSON.parse(readFileSync(join(outdir, `${stack}.template.json`), 'utf8')).Resources as Resources;
const ofType = (resources: Resources, type: string) =>
  Object.values(resources).filter((resource) => resource.Type === type);

/**
 * The file esbuild bundled a handler asset from: the last `handlers/` source in its source map
 * (esbuild lists the entry after what it imports), resolved as the map's paths are, from the asset.
 */
function bundledEntry(assetDir: string): string | undefined {
  const map = JSON.parse(readFileSync(join(assetDir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
  const entry = map.sources.filter((source) => /(^|\/)handlers\/[\w-]+\.[cm]?[jt]s$/.test(source)).at(-1);
  return entry === undefined ? undefined : resolve(assetDir, entry);
}

export interface UserAppSuiteOptions {
  /** Where the app runs (app.ts and calendar-api/ in it), read when the first test runs. */
  dir: () => string;
  /** The folder the handlers must be bundled from: the @syncbell/apigw that app resolves. */
  handlersDir: () => string;
  /**
   * The synth to check, when the caller started it earlier (to overlap it with other work).
   * @default `synthUserApp(dir())`, run by the first test
   */
  synth?: () => Promise<Synth>;
}

/** The fixture's synth and what it must produce, wherever it runs. */
export function describeUserApp(
  title: string,
  { dir, handlersDir, synth: started = () => synthUserApp(dir()) }: UserAppSuiteOptions,
): void {
  describe(title, () => {
    let synth: Synth;
    let synthesizing: Promise<Synth> | undefined;
    // Its own output only: the caller's other synths may still be running or unchecked.
    afterAll(async () => {
      const done = await synthesizing;
      if (done) rmSync(done.outdir, { recursive: true, force: true });
    });

    it('synthesizes with no unacknowledged cdk-nag finding', async () => {
      synthesizing = started();
      synth = await synthesizing;
      expect(synth.stderr).not.toMatch(/AwsSolutions-/);
      expect(synth.code, synth.stderr).toBe(0);
      expect(JSON.parse(synth.stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({
        url: true,
        stacks: ['CalendarApi', 'CalendarApiWebSocket'],
      });
    }, 240_000);

    it('puts the service in the imported VPC and cluster, from the user’s Dockerfile', () => {
      const resources = resourcesOf(synth.outdir, 'CalendarApi');
      expect(ofType(resources, 'AWS::EC2::VPC')).toHaveLength(0);
      expect(ofType(resources, 'AWS::ECS::Cluster')).toHaveLength(0);
      const services = ofType(resources, 'AWS::ECS::Service');
      expect(services.map((s) => s.Properties?.Cluster)).toEqual(['platform', 'platform']);
      expect(ofType(resources, 'AWS::ElastiCache::SubnetGroup')[0]?.Properties?.SubnetIds).toEqual([
        'subnet-data-a',
        'subnet-data-b',
      ]);
      const assets = JSON.parse(readFileSync(join(synth.outdir, 'CalendarApi.assets.json'), 'utf8'));
      const images = Object.values(assets.dockerImages ?? {}) as { source: { directory: string } }[];
      expect(images).toHaveLength(1);
      expect(
        readFileSync(join(synth.outdir, images[0]?.source.directory ?? '', 'Dockerfile'), 'utf8'),
      ).toContain('stand-in');
    });

    it('bundles every handler of the WebSocket API from the @syncbell/apigw the app resolves', () => {
      const functions = ofType(resourcesOf(synth.outdir, 'CalendarApiWebSocket'), 'AWS::Lambda::Function');
      expect(functions).toHaveLength(6);
      const entries = functions.map((fn) => {
        const key = String((fn.Properties?.Code as { S3Key?: string } | undefined)?.S3Key).replace(
          /\.zip$/,
          '',
        );
        const assetDir = join(synth.outdir, `asset.${key}`);
        expect(existsSync(join(assetDir, 'index.mjs'))).toBe(true);
        return bundledEntry(assetDir);
      });
      expect(new Set(entries).size).toBe(functions.length);
      for (const entry of entries) expect(entry && dirname(entry)).toBe(handlersDir());
      expect(readdirSync(synth.outdir).some((name) => name.startsWith('asset.'))).toBe(true);
    });
  });
}
