import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SYNC_JOB_DURATION_MS } from '@syncbell/contract';

/**
 * `osls package` turns serverless.yml into CloudFormation with no AWS credentials: check the
 * resources the handlers rely on are what the file promises.
 */
const serviceDir = fileURLToPath(new URL('../../apigw-websocket/', import.meta.url));
const osls = fileURLToPath(new URL('../../node_modules/serverless/bin/serverless.js', import.meta.url));

type Resource = { Type: string; Properties: Record<string, unknown> };
let resources: Record<string, Resource>;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'syncbell-sls-'));
  await promisify(execFile)(process.execPath, [osls, 'package', '--package', dir, '--stage', 'test'], {
    cwd: serviceDir,
    env: { ...process.env, SLS_DEPRECATION_DISABLE: '*', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
    timeout: 60_000,
  });
  const template = JSON.parse(
    await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as {
    Resources: Record<string, Resource>;
  };
  resources = template.Resources;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);

describe('serverless.yml', () => {
  it('routes $connect, $disconnect and $default, with the REQUEST authorizer on $connect reading ?token=', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map((r) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual([
      '$connect',
      '$default',
      '$disconnect',
      'POST /jobs/sync',
      'POST /v1/publish',
    ]);
    expect(routes.find((r) => r.RouteKey === '$connect')).toMatchObject({ AuthorizationType: 'CUSTOM' });
    expect(ofType('AWS::ApiGatewayV2::Authorizer')[0]?.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.querystring.token'],
    });
    expect(ofType('AWS::ApiGatewayV2::Api').map((a) => a.Properties.RouteSelectionExpression)).toContain(
      '$request.body.action',
    );
  });

  it('puts the publish route behind IAM (SigV4) and leaves its API key empty on AWS', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map((r) => r.Properties);
    expect(routes.find((r) => r.RouteKey === 'POST /v1/publish')).toMatchObject({
      AuthorizationType: 'AWS_IAM',
    });
    expect(routes.find((r) => r.RouteKey === 'POST /jobs/sync')?.AuthorizationType).toBeUndefined();
    const publish = resources.PublishLambdaFunction?.Properties as {
      Environment: { Variables: Record<string, unknown> };
    };
    expect(publish.Environment.Variables).toMatchObject({
      PUBLISH_API_KEYS: '',
      PUBLISH_API_KEY: '',
      NODE_ENV: 'production',
    });
    expect(JSON.stringify(publish.Environment.Variables.WEBSOCKET_MANAGEMENT_ENDPOINT)).toContain(
      'WebsocketsApi',
    );
  });

  it('declares both tables with the keys, the byUser GSI and TTL on `ttl`', () => {
    expect(resources.ConnectionsTable?.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        { IndexName: 'byUser', KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }] },
      ],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
    expect(resources.NotificationsTable?.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'userId', KeyType: 'HASH' },
        { AttributeName: 'id', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });

  it('gives notify the @connections endpoint of this API and room for the longest demo job', () => {
    const notify = resources.NotifyLambdaFunction?.Properties as {
      Timeout: number;
      Environment: { Variables: Record<string, unknown> };
    };
    // The job waits inside notify, then fans out: leave it at least 10 s for that.
    expect(notify.Timeout).toBeGreaterThanOrEqual(MAX_SYNC_JOB_DURATION_MS / 1000 + 10);
    expect(JSON.stringify(notify.Environment.Variables.WEBSOCKET_MANAGEMENT_ENDPOINT)).toContain(
      'WebsocketsApi',
    );
    expect(notify.Environment.Variables.NOTIFY_FUNCTION_NAME).toBe('syncbell-apigw-test-notify');
    expect(notify.Environment.Variables.NODE_ENV).toBe('production');
  });

  it('names the metrics namespace and service the handlers emit under (Powertools reads them)', () => {
    const functions = ofType('AWS::Lambda::Function').map(
      (f) => (f.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    );
    expect(functions.length).toBeGreaterThan(0);
    for (const variables of functions) {
      expect(variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'syncbell-apigw',
        POWERTOOLS_METRICS_NAMESPACE: 'syncbell',
      });
    }
  });
});
