import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { APIGW_STACK_NAME, createApp, ECS_STACK_NAME } from '../../../infra/lib/app.js';

describe('createApp', () => {
  // Bundling is skipped here (no stack selected for it): this file checks wiring, not templates.
  const { app, ecs, apigw } = createApp({
    context: {
      'aws:cdk:bundling-stacks': [],
      'syncbell:ecs': '{"desiredCount":4,"maxCount":8}',
      'syncbell:apigw': { stageName: 'staging' },
    },
  });

  it('defines the two stacks `cdk deploy` names', () => {
    expect(app.node.children.map((child) => child.node.id).sort()).toEqual(
      [APIGW_STACK_NAME, ECS_STACK_NAME].sort(),
    );
    expect(ecs.stackName).toBe('SyncbellEcsSocketIo');
    expect(apigw.stackName).toBe('SyncbellApiGwWebSocket');
  });

  it('reads each stack’s knobs from its context key', () => {
    expect(ecs.config).toMatchObject({ desiredCount: 4, maxCount: 8 });
    expect(apigw.config.stageName).toBe('staging');
  });

  it('stops `cdk synth` on an AwsSolutions finding nobody acknowledged', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'syncbell-nag-'));
    const probe = createApp({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    new ec2.SecurityGroup(probe.ecs, 'OpenSsh', { vpc: probe.ecs.socketIo.vpc }).addIngressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(22),
    );
    try {
      expect(() => probe.app.synth()).toThrow(/AwsSolutions-EC23/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
