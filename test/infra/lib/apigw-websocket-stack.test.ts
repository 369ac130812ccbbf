import { execFile } from 'node:child_process';
import JSZip from 'jszip';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envSchema } from '../../../apigw-websocket/src/config.js';
import { ApiGwWebSocketStack } from '../../../infra/lib/apigw-websocket-stack.js';
import { HANDLER_NAMES, type HandlerName, handlerEntry } from '../../../infra/lib/handler-function.js';
import { repoPath } from '../../../infra/lib/paths.js';
import {
  lambdaEnvironmentNames,
  RESERVED_LAMBDA_ENV,
  type Resources,
  type VariantShape,
  variantShape,
} from '../support/variant-shape.js';

const resolves = (name: HandlerName) => {
  try {
    return existsSync(handlerEntry(name));
  } catch {
    return false;
  }
};
const missingHandlers = HANDLER_NAMES.filter((name) => !resolves(name));
const handlersExist = missingHandlers.length === 0;
const serverlessYml = repoPath('apigw-websocket/serverless.yml');
const serverlessExists = existsSync(serverlessYml);

// One App, synthesized once (an esbuild bundle per handler), shared by every assertion below.
const app = new App();
const stack = handlersExist
  ? new ApiGwWebSocketStack(app, 'ApiGw', { env: { region: 'us-east-1' } })
  : undefined;
let template: Template;
let resources: Resources;
let assemblyDir: string;

const logicalIdOf = (name: HandlerName): string => {
  if (stack === undefined) throw new Error('no stack');
  return Stack.of(stack).getLogicalId(stack.functions[name].fn.node.defaultChild as CfnElement);
};

beforeAll(() => {
  if (stack === undefined) return;
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Resources;
  assemblyDir = app.synth().directory;
});

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

/** Statements of every policy attached to the function's own role. */
function policyStatementsOf(name: HandlerName): Statement[] {
  const role = resources[logicalIdOf(name)]?.Properties?.Role as { 'Fn::GetAtt': [string, string] };
  const roleRef = JSON.stringify({ Ref: role['Fn::GetAtt'][0] });
  return Object.values(resources)
    .filter(
      (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles ?? []).includes(roleRef),
    )
    .flatMap(
      (p) => (p.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [],
    );
}

function environmentOf(name: HandlerName): Record<string, unknown> {
  const environment = resources[logicalIdOf(name)]?.Properties?.Environment as
    | { Variables?: Record<string, unknown> }
    | undefined;
  return environment?.Variables ?? {};
}

const actionsOf = (name: HandlerName) => policyStatementsOf(name).flatMap((s) => [s.Action].flat());

describe.skipIf(!handlersExist)(
  `ApiGwWebSocketStack${handlersExist ? '' : ` (SKIPPED: handler files missing: ${missingHandlers.join(', ')})`}`,
  () => {
    it('bundles every handler with the local esbuild into an ESM file that exports `handler`', () => {
      for (const name of HANDLER_NAMES) {
        const code = resources[logicalIdOf(name)]?.Properties?.Code as { S3Key: string };
        // The staged asset directory is named after the same hash as the uploaded zip.
        const bundlePath = join(assemblyDir, `asset.${code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs');
        expect(existsSync(bundlePath), `bundle of ${name}`).toBe(true);
        const bundle = readFileSync(bundlePath, 'utf8');
        expect(bundle, name).toMatch(/export\s*\{[^}]*\bas handler\b|export\s*\{[^}]*\bhandler\b/);
      }
    });

    it('runs every function on Node 22, arm64, with a log group that expires', () => {
      for (const name of HANDLER_NAMES) {
        expect(resources[logicalIdOf(name)]?.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
        });
      }
      template.resourcePropertiesCountIs(
        'AWS::Logs::LogGroup',
        { RetentionInDays: 30 },
        // one per function, and the HTTP API's access logs (the WebSocket stage's are off by default)
        HANDLER_NAMES.length + 1,
      );
    });

    it('routes $connect through the token authorizer and every frame to $default', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        ProtocolType: 'WEBSOCKET',
        RouteSelectionExpression: '$request.body.action',
      });
      template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'REQUEST',
        IdentitySource: ['route.request.querystring.token'],
        AuthorizerResultTtlInSeconds: Match.absent(),
      });
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: '$connect',
        AuthorizationType: 'CUSTOM',
      });
      for (const routeKey of ['$disconnect', '$default']) {
        template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey });
      }
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /jobs/sync' });
    });

    // WebSocket stage access logs need the account's API Gateway role: off by default
    // (apiGatewayLogRole), held in first-deploy.test.ts.
    it('throttles both stages and writes the HTTP API access logs', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: 'prod',
        DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 }),
      });
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
        AccessLogSettings: Match.anyValue(),
      });
    });

    it('keeps connections on-demand, with TTL, the byUser GSI and point-in-time recovery', () => {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'byUser',
            KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          }),
        ],
        Replicas: [
          Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
        ],
      });
    });

    it('keeps notifications by user and ULID, expiring through ttl, with point-in-time recovery', () => {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'userId', KeyType: 'HASH' },
          { AttributeName: 'id', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        Replicas: [
          Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
        ],
      });
    });

    it('grants ManageConnections to default, notify and publish only, on this stage @connections only', () => {
      for (const name of ['default', 'notify', 'publish'] as const) {
        const statements = policyStatementsOf(name).filter((s) =>
          [s.Action].flat().includes('execute-api:ManageConnections'),
        );
        expect(statements, name).toHaveLength(1);
        const resource = JSON.stringify(statements[0]?.Resource);
        expect(resource).toContain(
          `{"Ref":"${Stack.of(stack as Stack).getLogicalId((stack as ApiGwWebSocketStack).webSocket.api.node.defaultChild as CfnElement)}"}`,
        );
        expect(resource).toContain('/prod/*/@connections/*');
      }
      for (const name of ['connect', 'disconnect', 'jobs', 'authorizer'] as const) {
        expect(actionsOf(name), name).not.toContain('execute-api:ManageConnections');
      }
    });

    it('lets jobs invoke notify and nothing else, and gives the authorizer no data access (only the JWT secret)', () => {
      const invoke = policyStatementsOf('jobs').filter((s) =>
        [s.Action].flat().includes('lambda:InvokeFunction'),
      );
      expect(JSON.stringify(invoke.map((s) => s.Resource))).toContain(logicalIdOf('notify'));
      expect(JSON.stringify(policyStatementsOf('jobs'))).not.toContain('dynamodb:');
      expect(policyStatementsOf('authorizer').flatMap((s) => [s.Action].flat())).toEqual([
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
      ]);
      expect(
        actionsOf('connect').filter((a) => a.startsWith('dynamodb:Get') || a === 'dynamodb:Query'),
      ).toEqual([]);
    });

    it('sets only environment variables the handlers read, with the management endpoint on default, notify and publish', () => {
      const known = new Set([
        ...Object.keys(envSchema.shape),
        'NODE_OPTIONS',
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_METRICS_NAMESPACE',
      ]);
      for (const name of HANDLER_NAMES) {
        const variables = environmentOf(name);
        expect(
          Object.keys(variables).filter((key) => !known.has(key)),
          name,
        ).toEqual([]);
        expect(variables).toMatchObject({ NODE_ENV: 'production', CONNECTIONS_BY_USER_INDEX: 'byUser' });
        expect(variables.JWT_SECRET).toBeUndefined();
        expect(JSON.stringify(variables.JWT_SECRET_ARN)).toMatch(/^\{"Ref":"SyncbellJwtSecret/);
      }
      for (const name of ['default', 'notify', 'publish'] as const) {
        const endpoint = JSON.stringify(environmentOf(name).WEBSOCKET_MANAGEMENT_ENDPOINT);
        expect(endpoint).toMatch(/https:\/\/.*execute-api.*\/prod/);
      }
      expect(environmentOf('jobs').NOTIFY_FUNCTION_NAME).toEqual({ Ref: logicalIdOf('notify') });
    });

    it('alarms on 5xx at both APIs, function errors and throttles, the 410 rate and dead-lettered notify events', () => {
      template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'syncbell',
        MetricName: 'PostsGone',
        Dimensions: [{ Name: 'service', Value: 'syncbell-apigw' }],
        Threshold: 100,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: '5xx',
        Namespace: 'AWS/ApiGateway',
      });
      const math = JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'));
      for (const metric of ['IntegrationError', 'ExecutionError', 'Throttles', 'Errors'])
        expect(math).toContain(metric);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmActions: [Match.objectLike({ Ref: Match.stringLikeRegexp('^SyncbellAlarms') })],
      });
    });

    it('sets no environment variable Lambda reserves', () => {
      for (const [id, names] of Object.entries(lambdaEnvironmentNames(resources))) {
        expect(
          names.filter((n) => RESERVED_LAMBDA_ENV.includes(n)),
          id,
        ).toEqual([]);
      }
    });

    it('has no unacknowledged AwsSolutions finding', () => {
      const report = new AwsSolutionsChecks().validateScope(stack as Stack);
      expect(
        report.violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath)}`),
      ).toEqual([]);
    });
  },
);

// --- the same variant through serverless.yml (osls package, offline) ----------------------------
const canCompare = handlersExist && serverlessExists;
const compareSkipReason = !serverlessExists
  ? ' (SKIPPED: apigw-websocket/serverless.yml does not exist)'
  : !handlersExist
    ? ` (SKIPPED: handler files missing: ${missingHandlers.join(', ')})`
    : '';

describe.skipIf(!canCompare)(
  `serverless.yml and the CDK stack deploy the same variant${compareSkipReason}`,
  () => {
    let packageDir: string;
    let slsResources: Resources;
    let cdkShape: VariantShape;
    let slsShape: VariantShape;

    beforeAll(async () => {
      packageDir = mkdtempSync(join(tmpdir(), 'syncbell-sls-'));
      // A clean environment: serverless.yml reads ${env:...}, and the caller's must not leak in.
      // This test's own Node, not whichever `node` the osls script's shebang finds on PATH.
      const osls = repoPath('node_modules/serverless/bin/serverless.js');
      await promisify(execFile)(process.execPath, [osls, 'package', '--package', packageDir], {
        cwd: repoPath('apigw-websocket'),
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          SLS_TELEMETRY_DISABLED: '1',
          SLS_NOTIFICATIONS_MODE: 'off',
        },
        timeout: 60_000,
      });
      const slsTemplate = JSON.parse(
        readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'),
      );
      slsResources = slsTemplate.Resources as Resources;
      slsShape = variantShape(
        slsResources,
        (_id, p) => /^src\/handlers\/(\w+)\.handler$/.exec(String(p.Handler))?.[1],
      );
      const cdkNames = new Map(HANDLER_NAMES.map((name) => [logicalIdOf(name), name]));
      cdkShape = variantShape(resources, (id) => cdkNames.get(id));
    }, 90_000);

    afterAll(() => {
      if (packageDir !== undefined) rmSync(packageDir, { recursive: true, force: true });
    });

    it('packages offline without AWS credentials', () => {
      expect(existsSync(join(packageDir, 'cloudformation-template-update-stack.json'))).toBe(true);
    });

    // Issue 22, item 9: what serverless.yml deploys beside the handlers.
    it('keeps point-in-time recovery, throttles both stages, logs the HTTP API and hard-codes no partition', () => {
      const ofType = (type: string) => Object.values(slsResources).filter((r) => r.Type === type);
      const tables = ofType('AWS::DynamoDB::Table');
      expect(tables).toHaveLength(2);
      for (const table of tables)
        expect(table.Properties?.PointInTimeRecoverySpecification).toEqual({
          PointInTimeRecoveryEnabled: true,
        });
      const stages = ofType('AWS::ApiGatewayV2::Stage');
      expect(stages.map((s) => s.Properties?.DefaultRouteSettings)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 }),
          expect.objectContaining({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
        ]),
      );
      expect(stages.some((s) => s.Properties?.AccessLogSettings !== undefined)).toBe(true);
      expect(JSON.stringify(slsResources)).not.toContain('arn:aws:');
    });

    it('gives the functions the JWT secret by ARN, never its value, and lets them read it', () => {
      for (const fn of Object.values(slsResources).filter((r) => r.Type === 'AWS::Lambda::Function')) {
        const environment = fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
        const variables = environment?.Variables ?? {};
        expect(variables).toHaveProperty('JWT_SECRET_ARN');
      }
      expect(JSON.stringify(slsResources)).toContain('secretsmanager:GetSecretValue');
    });

    it('has the same WebSocket routes, handlers, authorizer and route selection', () => {
      expect(slsShape.webSocketRoutes.map((r) => r.routeKey)).toEqual([
        '$connect',
        '$default',
        '$disconnect',
      ]);
      expect(cdkShape.webSocketRoutes).toEqual(slsShape.webSocketRoutes);
      expect(cdkShape.routeSelectionExpression).toEqual(slsShape.routeSelectionExpression);
    });

    it('has the same HTTP routes for jobs and publish', () => {
      expect(cdkShape.httpRouteKeys).toEqual(['POST /jobs/sync', 'POST /v1/publish']);
      expect(cdkShape.httpRouteKeys).toEqual(slsShape.httpRouteKeys);
    });

    it('has the same tables: keys, attributes, GSI, TTL attribute, billing', () => {
      expect(Object.keys(slsShape.tables).sort()).toEqual(['connectionId', 'userId+id']);
      expect(cdkShape.tables).toEqual(slsShape.tables);
    });

    it('runs the same functions on the same runtime, architecture, memory and timeout', () => {
      expect(Object.keys(slsShape.functions).sort()).toEqual([...HANDLER_NAMES].sort());
      expect(cdkShape.functions).toEqual(slsShape.functions);
    });

    it('sets no Lambda-reserved environment variable (Lambda refuses AWS_ACCESS_KEY_ID and friends)', () => {
      for (const [id, names] of Object.entries(lambdaEnvironmentNames(slsResources))) {
        expect(
          names.filter((n) => RESERVED_LAMBDA_ENV.includes(n)),
          id,
        ).toEqual([]);
      }
    });

    it.each(HANDLER_NAMES)(
      'ships %s as a self-contained bundle that loads with no node_modules',
      async (name) => {
        // Each function is its own zip (package.individually); unzip it somewhere with no
        // node_modules above it and import the handler in a clean process, as Lambda would.
        const zip = await JSZip.loadAsync(readFileSync(join(packageDir, `${name}.zip`)));
        const entry = zip.file(`src/handlers/${name}.mjs`);
        expect(entry, `src/handlers/${name}.mjs in ${name}.zip`).not.toBeNull();
        const dir = mkdtempSync(join(tmpdir(), `syncbell-lambda-${name}-`));
        try {
          writeFileSync(join(dir, 'handler.mjs'), (await entry?.async('nodebuffer')) ?? '');
          const { stdout } = await promisify(execFile)(
            process.execPath,
            [
              '--input-type=module',
              '-e',
              `const m = await import(${JSON.stringify(join(dir, 'handler.mjs'))}); console.log(typeof m.handler);`,
            ],
            {
              env: {
                PATH: process.env.PATH,
                CONNECTIONS_TABLE: 'c',
                NOTIFICATIONS_TABLE: 'n',
                AWS_REGION: 'us-east-1',
              },
              cwd: dir,
              timeout: 30_000,
            },
          );
          expect(stdout.trim()).toBe('function');
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  },
);
