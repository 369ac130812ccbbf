import { APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetRoleCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ECS_SERVICE_LINKED_ROLES,
  type PreflightCheck,
  type PreflightClients,
  runPreflight,
  runPreflightChecks,
} from '../../cli/preflight.js';
import { resolveApiGwWebSocketConfig } from '../../infra/lib/config.js';

// AWS is not reachable here: its answers are faked per command, shaped as the API references
// document them (STS GetCallerIdentity, CloudFormation DescribeStacks, IAM GetRole, Lambda
// GetAccountSettings, API Gateway GetAccount).
const sts = mockClient(STSClient);
const cloudFormation = mockClient(CloudFormationClient);
const iam = mockClient(IAMClient);
const lambda = mockClient(LambdaClient);
const apiGateway = mockClient(APIGatewayClient);
const region = 'eu-west-1';
const clients = (): PreflightClients => ({
  sts: new STSClient({ region }),
  cloudFormation: new CloudFormationClient({ region }),
  iam: new IAMClient({ region }),
  lambda: new LambdaClient({ region }),
  apiGateway: new APIGatewayClient({ region }),
});
const ROLE = 'arn:aws:iam::123456789012:role/apigateway-cloudwatch';
const byId = (checks: PreflightCheck[]) => Object.fromEntries(checks.map((c) => [c.id, c]));

/** An account that has run CDK and API Gateway before. */
function readyAccount(): void {
  sts.on(GetCallerIdentityCommand).resolves({
    Account: '123456789012',
    Arn: 'arn:aws:iam::123456789012:user/deployer',
  });
  cloudFormation.on(DescribeStacksCommand, { StackName: 'CDKToolkit' }).resolves({
    Stacks: [{ StackName: 'CDKToolkit', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }],
  });
  iam.on(GetRoleCommand).resolves({ Role: undefined });
  lambda.on(GetAccountSettingsCommand).resolves({
    AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 },
  });
  apiGateway.on(GetAccountCommand).resolves({
    cloudwatchRoleArn: ROLE,
    throttleSettings: { rateLimit: 10_000, burstLimit: 5000 },
  });
}

/** A brand-new account: nothing created yet, the lowered concurrency quota of new accounts. */
function freshAccount(): void {
  readyAccount();
  cloudFormation
    .on(DescribeStacksCommand)
    .rejects(
      Object.assign(new Error('Stack with id CDKToolkit does not exist'), { name: 'ValidationError' }),
    );
  iam
    .on(GetRoleCommand)
    .rejects(new NoSuchEntityException({ message: 'The role with name X cannot be found.', $metadata: {} }));
  lambda.on(GetAccountSettingsCommand).resolves({
    AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 },
  });
  apiGateway.on(GetAccountCommand).resolves({ throttleSettings: { rateLimit: 10_000, burstLimit: 5000 } });
}

beforeEach(() => {
  for (const mock of [sts, cloudFormation, iam, lambda, apiGateway]) mock.reset();
});

describe('syncbell preflight over faked AWS answers', () => {
  it('finds nothing to fix in an account that is ready, with the default knobs and its role', async () => {
    readyAccount();
    const apigw = resolveApiGwWebSocketConfig({ apiGatewayLogRole: 'existing' });

    const checks = await runPreflightChecks(clients(), { apigw });

    expect(checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(byId(checks).credentials?.message).toContain('account 123456789012 in eu-west-1');
    expect(iam.commandCalls(GetRoleCommand).map((c) => c.args[0].input.RoleName)).toEqual(
      ECS_SERVICE_LINKED_ROLES.map((r) => r.roleName),
    );
  });

  it('tells a brand-new account what to create, each with the command that does it', async () => {
    freshAccount();

    const checks = byId(await runPreflightChecks(clients()));

    expect(checks['cdk-bootstrap']).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('cdk bootstrap'),
    });
    for (const role of ECS_SERVICE_LINKED_ROLES)
      expect(checks[`service-linked-role:${role.roleName}`]).toMatchObject({
        status: 'warn',
        fix: `aws iam create-service-linked-role --aws-service-name ${role.service}`,
      });
    // 10 concurrent executions cannot hold the 200 the stack reserves and keep Lambda's 100 free.
    expect(checks['lambda-concurrency']).toMatchObject({ status: 'fail' });
    expect(checks['lambda-concurrency']?.message).toContain('would leave -190 unreserved');
    expect(checks['lambda-concurrency']?.fix).toContain('L-B99A9384');
    // The default ('none') deploys anywhere; preflight says how to get the access logs.
    expect(checks['apigateway-log-role']).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('"apiGatewayLogRole": "create"'),
    });
  });

  it("fails 'existing' where the account has no role: the deploy would roll back", async () => {
    freshAccount();
    const apigw = resolveApiGwWebSocketConfig({ apiGatewayLogRole: 'existing' });

    const checks = byId(await runPreflightChecks(clients(), { variant: 'apigw', apigw }));

    expect(checks['apigateway-log-role']).toMatchObject({ status: 'fail' });
    expect(checks['apigateway-log-role']?.message).toContain('CloudWatch Logs role ARN must be set');
  });

  it("warns that 'create' would replace a role the account already has", async () => {
    readyAccount();
    const apigw = resolveApiGwWebSocketConfig({ apiGatewayLogRole: 'create' });

    const checks = byId(await runPreflightChecks(clients(), { variant: 'apigw', apigw }));

    expect(checks['apigateway-log-role']).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('"existing"'),
    });
    expect(checks['apigateway-log-role']?.message).toContain(ROLE);
  });

  it('passes a small account once the reservations are switched off', async () => {
    freshAccount();
    lambda.on(GetAccountSettingsCommand).resolves({
      AccountLimit: { ConcurrentExecutions: 400, UnreservedConcurrentExecutions: 400 },
    });
    const apigw = resolveApiGwWebSocketConfig({
      connectReservedConcurrency: 0,
      notifyReservedConcurrency: 0,
    });

    const checks = byId(await runPreflightChecks(clients(), { variant: 'apigw', apigw }));

    expect(checks['lambda-concurrency']).toMatchObject({ status: 'warn' });
  });

  it('checks only what the chosen variant deploys', async () => {
    readyAccount();

    await runPreflightChecks(clients(), { variant: 'ecs' });

    expect(lambda.calls()).toHaveLength(0);
    expect(apiGateway.calls()).toHaveLength(0);
    expect(iam.calls()).toHaveLength(ECS_SERVICE_LINKED_ROLES.length);
  });

  it('says it could not check, rather than passing, when a read is denied', async () => {
    readyAccount();
    iam
      .on(GetRoleCommand)
      .rejects(Object.assign(new Error('not authorized to perform: iam:GetRole'), { name: 'AccessDenied' }));

    const checks = await runPreflightChecks(clients(), { variant: 'ecs' });

    expect(checks.filter((c) => c.status === 'unknown')).toHaveLength(ECS_SERVICE_LINKED_ROLES.length);
  });

  it('stops at the credentials when there are none, and calls nothing else', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }));

    const checks = await runPreflightChecks(clients());

    expect(checks).toEqual([expect.objectContaining({ id: 'credentials', status: 'fail' })]);
    expect(iam.calls()).toHaveLength(0);
  });
});

describe('syncbell preflight, the command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'syncbell-preflight-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the knobs from cdk.json, prints each finding with its fix and exits 1 on a failure', async () => {
    freshAccount();
    const cdkJson = join(dir, 'cdk.json');
    writeFileSync(
      cdkJson,
      JSON.stringify({ context: { 'syncbell:apigw': { apiGatewayLogRole: 'existing' } } }),
    );
    let out = '';

    const code = await runPreflight(['--variant', 'apigw', '--cdk-json', cdkJson], clients, (text) => {
      out += text;
    });

    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL apigateway-log-role: .*\n {5}-> set "apiGatewayLogRole": "create"/m);
    expect(out).toContain('check(s) would stop');
  });

  it('exits 0 with warnings only', async () => {
    readyAccount();
    let out = '';

    const code = await runPreflight(['--cdk-json', join(dir, 'absent.json')], clients, (text) => {
      out += text;
    });

    expect(code).toBe(0);
    expect(out).toContain('ready to deploy (1 warning(s))');
  });

  it('refuses an unknown variant with the usage', async () => {
    let out = '';
    expect(await runPreflight(['--variant', 'eks'], clients, (text) => (out += text))).toBe(2);
    expect(out).toContain('usage: syncbell preflight');
  });
});
