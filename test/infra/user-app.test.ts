import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * A user's CDK app outside infra/ (test/fixtures/user-cdk-app/app.ts): imported VPC and cluster,
 * the constructs imported from `@syncbell/cdk` by package name, cdk-nag as a validation plugin.
 * It runs in its own process from `USER_APP_DIR`, so it resolves `@syncbell/cdk` the way an
 * installed app does; to test a packed tarball instead, copy app.ts and calendar-api/ into a
 * directory where the tarball is installed and point USER_APP_DIR there.
 */
const USER_APP_DIR = fileURLToPath(new URL('../fixtures/user-cdk-app/', import.meta.url));

interface Synth {
  code: number;
  stdout: string;
  stderr: string;
  outdir: string;
}

const outdirs: string[] = [];

async function synthUserApp(extraEnv: Record<string, string> = {}, args = ['app.ts']): Promise<Synth> {
  const outdir = mkdtempSync(join(tmpdir(), 'syncbell-user-app-'));
  outdirs.push(outdir);
  return promisify(execFile)(process.execPath, ['--import', 'tsx', ...args], {
    cwd: USER_APP_DIR,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CDK_OUTDIR: outdir, ...extraEnv },
    timeout: 240_000,
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr, outdir }),
    (error: { code: number; stdout: string; stderr: string }) => ({ ...error, outdir }),
  );
}

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
const resourcesOf = (outdir: string, stack: string): Resources =>
  JSON.parse(readFileSync(join(outdir, `${stack}.template.json`), 'utf8')).Resources as Resources;
const ofType = (resources: Resources, type: string) =>
  Object.values(resources).filter((resource) => resource.Type === type);

describe('a user’s CDK app with @syncbell/cdk, an imported VPC and cluster', () => {
  let synth: Synth;

  it('synthesizes with no unacknowledged cdk-nag finding', async () => {
    synth = await synthUserApp();
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

  it('bundles every handler of the WebSocket API from the installed @syncbell/apigw', () => {
    const resources = resourcesOf(synth.outdir, 'CalendarApiWebSocket');
    const functions = ofType(resources, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(6);
    for (const fn of functions) {
      const key = String((fn.Properties?.Code as { S3Key?: string } | undefined)?.S3Key).replace(
        /\.zip$/,
        '',
      );
      expect(existsSync(join(synth.outdir, `asset.${key}`, 'index.mjs'))).toBe(true);
    }
    expect(readdirSync(synth.outdir).some((name) => name.startsWith('asset.'))).toBe(true);
  });

  it('would fail the synth on a finding nobody acknowledged (the check is live)', async () => {
    // No bundling this time (CDK reads context from CDK_CONTEXT_JSON): only the finding matters.
    const probe = await synthUserApp({
      SYNCBELL_FIXTURE_PROBE: 'open-ssh',
      CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [] }),
    });
    expect(probe.code).not.toBe(0);
    expect(probe.stderr).toContain('AwsSolutions-EC23');
  }, 240_000);
});

describe('docs/DEPLOY.md’s @syncbell/cdk examples, as written', () => {
  const deploy = readFileSync(new URL('../../docs/DEPLOY.md', import.meta.url), 'utf8');
  const examples = [...deploy.matchAll(/<!-- deploy-example:([\w-]+) -->\n```ts\n([\s\S]*?)\n```/g)].map(
    ([, name, code]) => ({ name: name as string, code: code as string }),
  );

  it('synthesize in a user’s app directory with no unacknowledged cdk-nag finding', async () => {
    expect(examples.map((e) => e.name)).toEqual(['socketio-existing', 'nestjs', 'websocket-api']);
    // One process for the three (each is its own App): tsx and aws-cdk-lib load once.
    const files = examples.map(({ name, code }) => {
      const file = join(USER_APP_DIR, `.deploy-example-${name}-${process.pid}.ts`);
      writeFileSync(file, code);
      return file;
    });
    try {
      const imports = files.map((file) => `await import(${JSON.stringify(file)});`).join(' ');
      const synth = await synthUserApp(
        { CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [] }) },
        ['--input-type=module', '-e', imports],
      );
      expect(synth.stderr).not.toMatch(/AwsSolutions-/);
      expect(synth.code, synth.stderr).toBe(0);
      for (const stack of ['Notifications', 'CalendarSync'])
        expect(existsSync(join(synth.outdir, `${stack}.template.json`)), stack).toBe(true);
    } finally {
      for (const file of files) unlinkSync(file);
    }
  }, 240_000);
});
