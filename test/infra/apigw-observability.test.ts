import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiGwWebSocketStack } from '../../infra/lib/apigw-websocket-stack.js';
import { HANDLER_NAMES } from '../../infra/lib/handler-function.js';
import { unbundledApp } from './support/unbundled-app.js';

// What is under test is configuration, not code: skip the six esbuild bundles.
const app = unbundledApp();
const stack = new ApiGwWebSocketStack(app, 'ApiGwKnobs', {
  env: { region: 'us-east-1' },
  options: { serviceName: 'notify-eu', metricsNamespace: 'acme/notifications' },
});
const resources = Template.fromStack(stack).toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown> }
>;

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('API Gateway stack: the alarms watch what the handlers emit', () => {
  it('gives every handler the knobs as POWERTOOLS_* and alarms on that namespace and service', async () => {
    const environments = HANDLER_NAMES.map((name) => {
      const id = Stack.of(stack).getLogicalId(stack.functions[name].fn.node.defaultChild as CfnElement);
      const environment = resources[id]?.Properties.Environment as { Variables?: Record<string, string> };
      return environment?.Variables ?? {};
    });
    for (const variables of environments) {
      expect(variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'notify-eu',
        POWERTOOLS_METRICS_NAMESPACE: 'acme/notifications',
      });
    }
    const stale = Object.values(resources).find(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === 'PostsGone',
    )?.Properties;
    expect(stale).toBeDefined();

    // The handler code, built under one function's synthesized environment, emits exactly there.
    const variables = environments[0] as Record<string, string>;
    vi.resetModules();
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', variables.POWERTOOLS_SERVICE_NAME);
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', variables.POWERTOOLS_METRICS_NAMESPACE);
    const { metrics, MetricName, MetricUnit } = await import('../../apigw-websocket/src/observability.js');
    metrics.addMetric(MetricName.PostsGone, MetricUnit.Count, 1);
    const emf = metrics.serializeMetrics();
    metrics.clearMetrics();
    const emitted = emf._aws.CloudWatchMetrics[0];
    expect(emitted?.Namespace).toBe(stale?.Namespace);
    expect(emitted?.Metrics.map((m) => m.Name)).toContain(stale?.MetricName);
    expect(stale?.Dimensions).toEqual([{ Name: 'service', Value: emf.service }]);
    expect(emitted?.Dimensions).toEqual([['service']]);
  });
});
