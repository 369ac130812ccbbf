/**
 * Issue 22: what CloudFormation would reject on a first deploy, and what would misbehave after it,
 * held against the synthesized templates. Each test names the AWS page it reads the template against.
 */
import { App, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiGwWebSocketStack } from '../../infra/lib/apigw-websocket-stack.js';
import { InfraErrorCode } from '../../infra/lib/config.js';
import { EcsSocketIoStack } from '../../infra/lib/ecs-socketio-stack.js';
import { withCode } from '../support/errors.js';
import { unbundledApp } from './support/unbundled-app.js';
import { unacknowledgedFindings } from './support/nag.js';

const env = { region: 'us-east-1' };
const CERTIFICATE = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';

// One App per variant family, each synthesized once. Templates only: the API Gateway stacks skip
// bundling (test/infra/lib/apigw-websocket-stack.test.ts checks the bundles).
const apigwApp = unbundledApp();
const apigw = new ApiGwWebSocketStack(apigwApp, 'ApiGw', { env });
const apigwExisting = new ApiGwWebSocketStack(apigwApp, 'ApiGwExisting', {
  env,
  options: { apiGatewayLogRole: 'existing' },
});
const apigwCreate = new ApiGwWebSocketStack(apigwApp, 'ApiGwCreate', {
  env,
  options: { apiGatewayLogRole: 'create', connectReservedConcurrency: 0, notifyReservedConcurrency: 0 },
});
const ecsApp = new App();
const ecs = new EcsSocketIoStack(ecsApp, 'Ecs', { env });
const ecsHttps = new EcsSocketIoStack(ecsApp, 'EcsHttps', {
  env,
  options: {
    certificateArn: CERTIFICATE,
    domainName: 'notifications.example.com',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    hostedZoneName: 'example.com',
  },
});
const ecsTrial = new EcsSocketIoStack(ecsApp, 'EcsTrial', { env, options: { allowPlainHttp: true } });

const templates = new Map<Stack, Template>();
const t = (stack: Stack): Template => {
  let template = templates.get(stack);
  if (template === undefined) {
    template = Template.fromStack(stack);
    templates.set(stack, template);
  }
  return template;
};
beforeAll(() => {
  for (const stack of [apigw, apigwExisting, apigwCreate, ecs, ecsHttps, ecsTrial]) t(stack);
});

const logicalId = (template: Template, type: string, props: Record<string, unknown> = {}): string => {
  const [id, ...rest] = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  if (id === undefined || rest.length > 0)
    throw new Error(`expected one ${type}, found ${rest.length + (id ? 1 : 0)}`);
  return id;
};

describe('API Gateway stack: what CloudFormation would reject', () => {
  // API Gateway V2 API reference, "Authorizers" (authorizerResultTtlInSeconds: "Supported only for
  // HTTP API Lambda authorizers"); a WebSocket API answers "AuthorizerResultTtlInSeconds cannot be
  // set for WEBSOCKET protocol Apis" (hashicorp/terraform-provider-aws #15232, sst #905).
  it('sets no AuthorizerResultTtlInSeconds on the WebSocket authorizer, not even 0', () => {
    const authorizers = t(apigw).findResources('AWS::ApiGatewayV2::Authorizer');
    expect(Object.keys(authorizers)).toHaveLength(1);
    for (const authorizer of Object.values(authorizers))
      expect(authorizer.Properties).not.toHaveProperty('AuthorizerResultTtlInSeconds');
  });

  // https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html: stage
  // logging needs the account's CloudWatch Logs role, else "CloudWatch Logs role ARN must be set in
  // account settings to enable logging".
  it('by default deploys the WebSocket stage without access logs and touches no account setting', () => {
    const template = t(apigw);
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'prod',
      AccessLogSettings: Match.absent(),
    });
    // The HTTP API's access logs need no account role and stay on.
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: Match.anyValue(),
    });
    Annotations.fromStack(apigw).hasWarning('*', Match.stringLikeRegexp('syncbell preflight'));
  });

  it("logs the WebSocket stage through the account's role with 'existing', without overwriting it", () => {
    const template = t(apigwExisting);
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'prod',
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    Annotations.fromStack(apigwExisting).hasNoWarning('*', Match.stringLikeRegexp('syncbell preflight'));
  });

  it("creates the role, sets it, and makes the stage wait for it with 'create'", () => {
    const template = t(apigwCreate);
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    const account = logicalId(template, 'AWS::ApiGateway::Account');
    const stages = template.findResources('AWS::ApiGatewayV2::Stage', {
      Properties: { StageName: 'prod' },
    });
    const [stage] = Object.values(stages);
    expect(stage?.DependsOn).toEqual(expect.arrayContaining([account]));
  });
});

describe('stateful resources: RetainExceptOnCreate', () => {
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html:
  // RetainExceptOnCreate deletes a resource its own failed create rolls back, and retains it on a
  // later stack delete. DynamoDB deletion protection would refuse that rollback's DeleteTable.
  it('retains tables, secrets and log groups on delete, but not after a failed first create', () => {
    for (const [stack, types] of [
      [apigw, ['AWS::DynamoDB::GlobalTable', 'AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup']],
      [ecs, ['AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket']],
    ] as const) {
      for (const type of types) {
        const resources = Object.entries(t(stack).findResources(type));
        expect(resources.length, `${stack.stackName} ${type}`).toBeGreaterThan(0);
        for (const [id, resource] of resources) {
          expect(resource.DeletionPolicy, `${stack.stackName} ${id}`).toBe('RetainExceptOnCreate');
          expect(resource.UpdateReplacePolicy, `${stack.stackName} ${id}`).toBe('Retain');
        }
      }
    }
    for (const table of Object.values(t(apigw).findResources('AWS::DynamoDB::GlobalTable')))
      expect(table.Properties).not.toHaveProperty('DeletionProtectionEnabled');
  });

  it('deletes them all with retainData false', () => {
    const throwaway = Template.fromStack(
      new EcsSocketIoStack(new App(), 'Throwaway', {
        env,
        options: { retainData: false, allowPlainHttp: true },
      }),
    );
    for (const type of ['AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket'])
      for (const resource of Object.values(throwaway.findResources(type)))
        expect(resource.DeletionPolicy).toBe('Delete');
  });
});

describe('API Gateway stack: an accepted job is never dropped by Lambda', () => {
  // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html and
  // "Configuring error handling for asynchronous invocation": without a destination an event that
  // keeps failing or ages out is discarded.
  it('gives notify an on-failure SQS destination, a maximum event age and 2 retries', () => {
    const template = t(apigw);
    const notify = logicalId(template, 'AWS::Lambda::Function', { Handler: 'index.handler', Timeout: 90 });
    const queue = logicalId(template, 'AWS::SQS::Queue');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: notify },
      MaximumEventAgeInSeconds: 3600,
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 86_400 });
  });

  it('alarms on the first dead-lettered notify event', () => {
    const template = t(apigw);
    const queue = logicalId(template, 'AWS::SQS::Queue');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 1,
      AlarmActions: Match.anyValue(),
    });
  });

  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html: reserved
  // concurrency is both a function's guaranteed share and its ceiling.
  it('reserves concurrency for the connect path and caps notify', () => {
    const template = t(apigw);
    const reserved = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((fn) => fn.Properties.ReservedConcurrentExecutions)
      .filter((n) => n !== undefined)
      .sort();
    expect(reserved).toEqual([100, 50, 50]);
    for (const stack of [apigwCreate])
      for (const fn of Object.values(t(stack).findResources('AWS::Lambda::Function')))
        expect(fn.Properties).not.toHaveProperty('ReservedConcurrentExecutions');
  });

  it('routes the authorizer and $connect to the functions that hold the reservation', () => {
    const template = t(apigw);
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { ReservedConcurrentExecutions: 50 },
    });
    const ids = Object.keys(functions);
    const authorizer = Object.values(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0];
    expect(ids.some((id) => JSON.stringify(authorizer?.Properties.AuthorizerUri).includes(id))).toBe(true);
    const connectRoute = template.findResources('AWS::ApiGatewayV2::Route', {
      Properties: { RouteKey: '$connect' },
    });
    const integrationId = JSON.stringify(Object.values(connectRoute)[0]?.Properties.Target).match(
      /"Ref":"([A-Za-z0-9]+)"/,
    )?.[1];
    const integration = integrationId ? template.toJSON().Resources[integrationId] : undefined;
    expect(ids.some((id) => JSON.stringify(integration?.Properties.IntegrationUri).includes(id))).toBe(true);
  });
});

describe('API Gateway stack: the JWT secret', () => {
  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html: environment variables
  // are returned by GetFunctionConfiguration to whoever may call it.
  it('is in no function environment, neither as a value nor as a dynamic reference', () => {
    for (const stack of [apigw, apigwExisting, apigwCreate]) {
      for (const [id, fn] of Object.entries(t(stack).findResources('AWS::Lambda::Function'))) {
        const variables = (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
        expect(Object.keys(variables), id).not.toContain('JWT_SECRET');
        expect(JSON.stringify(variables), id).not.toMatch(/resolve:secretsmanager/);
      }
    }
  });

  it('is named by its ARN, and every function may read exactly that secret', () => {
    const template = t(apigw);
    const secret = logicalId(template, 'AWS::SecretsManager::Secret');
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Handler === 'index.handler',
    );
    expect(functions).toHaveLength(7);
    for (const fn of functions)
      expect(fn.Properties.Environment.Variables.JWT_SECRET_ARN).toEqual({ Ref: secret });
    const readers = template.findResources('AWS::IAM::Policy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
              Resource: { Ref: secret },
            }),
          ]),
        },
      },
    });
    expect(Object.keys(readers)).toHaveLength(7);
  });
});

describe('ECS stack: what would misbehave after the first deploy', () => {
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-service.html
  // (DesiredCount: "For existing services, if a desired count is not specified, it is omitted from
  // the operation"); aws/aws-cdk#13130.
  it('leaves the server count to autoscaling: no DesiredCount, a floor of 2', () => {
    const template = t(ecs);
    const services = template.findResources('AWS::ECS::Service');
    const server = Object.entries(services).find(([id]) => id.includes('Server'));
    const worker = Object.entries(services).find(([id]) => id.includes('Worker'));
    expect(server?.[1].Properties).not.toHaveProperty('DesiredCount');
    // The worker is not autoscaled: its count stays in the template.
    expect(worker?.[1].Properties.DesiredCount).toBe(1);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 10,
      ScalableDimension: 'ecs:service:DesiredCount',
    });
  });

  // https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html
  // (maxmemory-policy; the default group's volatile-lru evicts keys with a TTL first).
  it('runs Redis with maxmemory-policy noeviction and alarms on its memory', () => {
    const template = t(ecs);
    const group = logicalId(template, 'AWS::ElastiCache::ParameterGroup');
    template.hasResourceProperties('AWS::ElastiCache::ParameterGroup', {
      CacheParameterGroupFamily: 'redis7',
      Properties: { 'maxmemory-policy': 'noeviction' },
    });
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      CacheParameterGroupName: { Ref: group },
    });
    const alarm = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { AlarmDescription: Match.stringLikeRegexp('^Redis memory') },
      }),
    )[0];
    const metrics = JSON.stringify(alarm?.Properties.Metrics);
    // One metric per node (primary + 1 replica by default), the highest one alarmed at 80%.
    expect(metrics.match(/"MetricName":"DatabaseMemoryUsagePercentage"/g)).toHaveLength(2);
    expect(metrics).toContain('"Fn::Join":["-",[{"Ref"');
    expect(metrics).toContain('"001"]');
    expect(metrics).toContain('"002"]');
    expect(alarm?.Properties.Threshold).toBe(80);
  });

  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html
  // (redirect actions) and Route 53 developer guide, "Routing traffic to an ELB load balancer".
  it('with a certificate, redirects port 80 to HTTPS and names the URL after the domain', () => {
    const template = t(ecsHttps);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [
        Match.objectLike({
          Type: 'redirect',
          RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' }),
        }),
      ],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERTIFICATE }],
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'notifications.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }),
    });
    template.hasOutput('SocketIoUrl', { Value: 'https://notifications.example.com' });
    Annotations.fromStack(ecsHttps).hasNoWarning('*', Match.stringLikeRegexp('plain http'));
  });

  it('serves plain HTTP only with a warning, unless allowPlainHttp says a trial is meant', () => {
    Annotations.fromStack(ecs).hasWarning('*', Match.stringLikeRegexp('plain http:// and ws://'));
    Annotations.fromStack(ecsTrial).hasNoWarning('*', Match.stringLikeRegexp('plain http'));
    t(ecs).hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    t(ecs).resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', { Port: 443 }, 0);
  });

  it('refuses a domain without a certificate, and a hosted zone without a domain', () => {
    expect(
      () => new EcsSocketIoStack(new App(), 'NoCert', { options: { domainName: 'n.example.com' } }),
    ).toThrow(withCode(InfraErrorCode.InvalidConfig, 'domainName needs certificateArn'));
    expect(
      () =>
        new EcsSocketIoStack(new App(), 'NoDomain', {
          options: { certificateArn: CERTIFICATE, hostedZoneId: 'Z0123', hostedZoneName: 'example.com' },
        }),
    ).toThrow(withCode(InfraErrorCode.InvalidConfig, 'hostedZoneId needs domainName'));
  });
});

describe('cdk-nag', () => {
  it('has no unacknowledged AwsSolutions finding on any of these variants', () => {
    for (const stack of [apigw, apigwExisting, apigwCreate, ecs, ecsHttps, ecsTrial])
      expect(unacknowledgedFindings(stack), stack.stackName).toEqual([]);
  });
});
