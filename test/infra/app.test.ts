import { describe, expect, it } from 'vitest';
import { APIGW_STACK_NAME, createApp, ECS_STACK_NAME } from '../../infra/lib/app.js';

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
});
