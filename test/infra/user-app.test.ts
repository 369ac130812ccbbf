import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeUserApp,
  removeSynthOutputs,
  type Synth,
  synthUserApp,
  USER_APP_FIXTURE,
} from './support/user-app.js';

/**
 * The user-style CDK app run from its fixture folder: it resolves `@syncbell/cdk` and
 * `@syncbell/apigw` from the workspace (the .ts sources). test/cli/pack-install.test.ts runs the
 * same suite against the packed tarballs, installed outside the repository.
 */

const deploy = readFileSync(new URL('../../docs/DEPLOY.md', import.meta.url), 'utf8');
/** docs/DEPLOY.md's @syncbell/cdk examples, as written. */
const examples = [...deploy.matchAll(/<!-- deploy-example:([\w-]+) -->\n```ts\n([\s\S]*?)\n```/g)].map(
  ([, name, code]) => ({ name: name as string, code: code as string }),
);
// No bundling for the probe and the examples (CDK reads context from CDK_CONTEXT_JSON): only the
// findings and the templates matter there.
const NO_BUNDLING = { CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [] }) };

/**
 * The three synths, each a process of its own (tsx and aws-cdk-lib load in each), started together
 * so they overlap instead of running one after another; each test awaits its own.
 */
let appSynth: Promise<Synth>;
let probeSynth: Promise<Synth>;
let examplesSynth: Promise<Synth>;

beforeAll(() => {
  appSynth = synthUserApp(USER_APP_FIXTURE);
  probeSynth = synthUserApp(USER_APP_FIXTURE, { SYNCBELL_FIXTURE_PROBE: 'open-ssh', ...NO_BUNDLING });
  // One process for the examples (each is its own App): tsx and aws-cdk-lib load once.
  const files = examples.map(({ name, code }) => {
    const file = join(USER_APP_FIXTURE, `.deploy-example-${name}-${process.pid}.ts`);
    writeFileSync(file, code);
    return file;
  });
  const imports = files.map((file) => `await import(${JSON.stringify(file)});`).join(' ');
  examplesSynth = synthUserApp(USER_APP_FIXTURE, NO_BUNDLING, ['--input-type=module', '-e', imports]).finally(
    () => {
      for (const file of files) unlinkSync(file);
    },
  );
});

afterAll(async () => {
  // A synth whose test failed early may still run: let it end before its output goes.
  await Promise.allSettled([appSynth, probeSynth, examplesSynth]);
  removeSynthOutputs();
});

describeUserApp('a user’s CDK app with the workspace’s @syncbell/cdk, an imported VPC and cluster', {
  dir: () => USER_APP_FIXTURE,
  handlersDir: () => fileURLToPath(new URL('../../apigw-websocket/src/handlers', import.meta.url)),
  synth: () => appSynth,
});

describe('the user’s CDK app’s nag check', () => {
  it('would fail the synth on a finding nobody acknowledged (the check is live)', async () => {
    const probe = await probeSynth;
    expect(probe.code).not.toBe(0);
    expect(probe.stderr).toContain('AwsSolutions-EC23');
  }, 240_000);
});

describe('docs/DEPLOY.md’s @syncbell/cdk examples, as written', () => {
  it('synthesize in a user’s app directory with no unacknowledged cdk-nag finding', async () => {
    expect(examples.map((e) => e.name)).toEqual(['socketio-existing', 'nestjs', 'websocket-api']);
    const synth = await examplesSynth;
    expect(synth.stderr).not.toMatch(/AwsSolutions-/);
    expect(synth.code, synth.stderr).toBe(0);
    for (const stack of ['Notifications', 'CalendarSync'])
      expect(existsSync(join(synth.outdir, `${stack}.template.json`)), stack).toBe(true);
  }, 240_000);
});
