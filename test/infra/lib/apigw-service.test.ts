import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { beforeAll, describe, expect, it } from 'vitest';
import { unacknowledgedFindings } from '../support/nag.js';
import { SyncbellWebSocketApi } from '../../../infra/lib/apigw-service.js';
import { withCode } from '../../support/errors.js';
import { InfraErrorCode } from '../../../infra/lib/config.js';
import { unbundledApp } from '../support/unbundled-app.js';

// What is under test is the wiring, not the bundles: skip esbuild (apigw-websocket-stack.test.ts bundles).
const newApp = unbundledApp;
const env = { account: '111111111111', region: 'eu-west-1' };

function statementsMentioning(template: Template, action: string): { Action: unknown; Resource: unknown }[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } })
          .Properties.PolicyDocument.Statement,
    )
    .filter((s) => [s.Action].flat().includes(action));
}

describe('SyncbellWebSocketApi: custom domain, publish route, grantPublish', () => {
  const stack = new Stack(newApp(), 'Notifications', { env });
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    zoneName: 'example.com',
  });
  const certificate = acm.Certificate.fromCertificateArn(
    stack,
    'Certificate',
    'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000',
  );
  const api = new SyncbellWebSocketApi(stack, 'Syncbell', {
    customDomain: { domainName: 'notifications.example.com', certificate, hostedZone: zone },
    jwtSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Jwt', 'platform/jwt'),
    stageName: 'live',
  });
  const backend = new iam.Role(stack, 'BackendTaskRole', {
    assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
  });
  api.grantPublish(backend);
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(stack);
  });

  it('serves the WebSocket API on the custom domain, with an alias record in the zone', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'notifications.example.com',
      DomainNameConfigurations: [
        Match.objectLike({
          CertificateArn: Match.stringLikeRegexp('^arn:aws:acm:eu-west-1:'),
          EndpointType: 'REGIONAL',
          SecurityPolicy: 'TLS_1_2',
        }),
      ],
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { Stage: Match.anyValue() });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'notifications.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
    });
    expect(api.url).toBe('wss://notifications.example.com');
  });

  it('routes POST /v1/publish to the publish handler behind IAM auth, and leaves out the demo jobs route', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /v1/publish',
      AuthorizationType: 'AWS_IAM',
    });
    template.resourcePropertiesCountIs('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /jobs/sync' }, 0);
    expect(Object.keys(api.functions).sort()).toEqual(
      ['authorizer', 'connect', 'default', 'disconnect', 'notify', 'publish'].sort(),
    );
    expect(api.publishUrl).toBeDefined();
  });

  it('gives the publish handler what notify has: both tables, this stage’s @connections, the endpoint', () => {
    const publish = api.functions.publish?.fn;
    expect(publish).toBeDefined();
    const id = stack.getLogicalId(publish?.node.defaultChild as never);
    const variables = (
      template.toJSON().Resources[id].Properties.Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(JSON.stringify(variables.WEBSOCKET_MANAGEMENT_ENDPOINT)).toContain('/live');
    // The secret by ARN (read at cold start), never its value.
    expect(variables.JWT_SECRET).toBeUndefined();
    expect(JSON.stringify(variables.JWT_SECRET_ARN)).toContain('platform/jwt');
    const manage = statementsMentioning(template, 'execute-api:ManageConnections');
    expect(manage).toHaveLength(3); // default, notify, publish
  });

  it('grants execute-api:Invoke on the publish route to the granted role, and to nobody else', () => {
    const invoke = statementsMentioning(template, 'execute-api:Invoke');
    expect(invoke).toHaveLength(1);
    expect(JSON.stringify(invoke[0]?.Resource)).toContain('/$default/POST/v1/publish');
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes('execute-api:Invoke'),
    );
    expect(
      JSON.stringify(policies.map((p) => (p as { Properties: { Roles: unknown } }).Properties.Roles)),
    ).toContain(stack.getLogicalId(backend.node.defaultChild as never));
  });

  it('has no unacknowledged AwsSolutions finding', () => {
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });
});

describe('SyncbellWebSocketApi: options', () => {
  it('grants nobody the publish route unless asked', () => {
    const stack = new Stack(newApp(), 'NoGrant', { env });
    new SyncbellWebSocketApi(stack, 'Syncbell');
    const template = Template.fromStack(stack);
    expect(statementsMentioning(template, 'execute-api:Invoke')).toEqual([]);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /v1/publish' });
    template.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });

  it('leaves the HTTP API out without the publish and jobs routes, and refuses grantPublish then', () => {
    const stack = new Stack(newApp(), 'WebSocketOnly', { env });
    const api = new SyncbellWebSocketApi(stack, 'Syncbell', { publishRoute: false });
    const template = Template.fromStack(stack);
    template.resourcePropertiesCountIs('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' }, 0);
    // WebSocket 5xx, function errors, throttles, 410s, and notify's dead-lettered events.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    expect(() => api.grantPublish(new iam.AccountRootPrincipal())).toThrow(
      withCode(InfraErrorCode.InvalidConfig, 'publishRoute'),
    );
    expect(unacknowledgedFindings(stack)).toEqual([]);
  });

  it('refuses a bad knob with the construct’s path in the message', () => {
    const stack = new Stack(newApp(), 'BadKnob', { env });
    expect(() => new SyncbellWebSocketApi(stack, 'Syncbell2', { memoryMiB: -1 })).toThrow(
      withCode(InfraErrorCode.InvalidConfig, 'BadKnob/Syncbell2 props', 'memoryMiB'),
    );
  });
});
