import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { describeUserApp, removeSynthOutputs, synthUserApp, USER_APP_FIXTURE } from './support/user-app.js';

/**
 * The user-style CDK app run from its fixture folder: it resolves `@syncbell/cdk` and
 * `@syncbell/apigw` from the workspace (the .ts sources). test/cli/pack-install.test.ts runs the
 * same suite against the packed tarballs, installed outside the repository.
 */
afterAll(removeSynthOutputs);

describeUserApp('a user’s CDK app with the workspace’s @syncbell/cdk, an imported VPC and cluster', {
  dir: () => USER_APP_FIXTURE,
  handlersDir: () => fileURLToPath(new URL('../../apigw-websocket/src/handlers', import.meta.url)),
});

describe('the user’s CDK app’s nag check', () => {
  it('would fail the synth on a finding nobody acknowledged (the check is live)', async () => {
    // No bundling this time (CDK reads context from CDK_CONTEXT_JSON): only the finding matters.
    const probe = await synthUserApp(USER_APP_FIXTURE, {
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
      const file = join(USER_APP_FIXTURE, `.deploy-example-${name}-${process.pid}.ts`);
      writeFileSync(file, code);
      return file;
    });
    try {
      const imports = files.map((file) => `await import(${JSON.stringify(file)});`).join(' ');
      const synth = await synthUserApp(
        USER_APP_FIXTURE,
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
