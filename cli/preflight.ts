import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  APIGatewayClient,
  GetAccountCommand,
  type GetAccountCommandOutput,
} from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  APIGW_CONTEXT_KEY,
  type ApiGwWebSocketConfig,
  resolveApiGwWebSocketConfig,
} from '../infra/lib/config.js';

/**
 * `syncbell preflight`: read-only AWS calls that find what a first `cdk deploy` in this account and
 * region would trip on, before CloudFormation does (and rolls back). Every check says what to do.
 */

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'unknown';

export interface PreflightCheck {
  id: string;
  status: CheckStatus;
  /** What was found. */
  message: string;
  /** What to do about it (for `warn`, `fail` and `unknown`). */
  fix?: string;
}

export interface PreflightClients {
  sts: STSClient;
  cloudFormation: CloudFormationClient;
  iam: IAMClient;
  lambda: LambdaClient;
  apiGateway: APIGatewayClient;
}

export interface PreflightOptions {
  /** Which stacks are about to be deployed. @default 'both' */
  variant?: 'ecs' | 'apigw' | 'both';
  /** The API Gateway stack's knobs (cdk.json's `syncbell:apigw`), validated as `cdk synth` would. */
  apigw?: ApiGwWebSocketConfig;
}

/**
 * Service-linked roles a first deploy of the ECS stack relies on (IAM user guide, "AWS services that
 * work with IAM"; ECS developer guide, "Using service-linked roles for Amazon ECS"; Application Auto
 * Scaling user guide, "Service-linked roles"). The services create them on first use when the
 * deployer may `iam:CreateServiceLinkedRole`, but a role created during the deploy can still be
 * unassumable for a while, which fails the first ECS service or scalable target.
 */
export const ECS_SERVICE_LINKED_ROLES = [
  { roleName: 'AWSServiceRoleForECS', service: 'ecs.amazonaws.com' },
  {
    roleName: 'AWSServiceRoleForApplicationAutoScaling_ECSService',
    service: 'ecs.application-autoscaling.amazonaws.com',
  },
  { roleName: 'AWSServiceRoleForElastiCache', service: 'elasticache.amazonaws.com' },
  { roleName: 'AWSServiceRoleForElasticLoadBalancing', service: 'elasticloadbalancing.amazonaws.com' },
] as const;

/**
 * Lambda keeps at least 100 concurrent executions unreserved: a reservation that would leave fewer
 * fails ("Specified ReservedConcurrentExecutions for function decreases account's
 * UnreservedConcurrentExecution below its minimum value of [100]"; AWS Lambda developer guide,
 * "Configuring reserved concurrency").
 */
export const LAMBDA_MIN_UNRESERVED = 100;
/** The default Lambda concurrency quota of an account (Lambda quotas page); new accounts may start lower. */
export const LAMBDA_DEFAULT_CONCURRENCY = 1000;

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function couldNotCheck(id: string, what: string, error: unknown): PreflightCheck {
  return {
    id,
    status: 'unknown',
    message: `could not check ${what}: ${errorName(error)}: ${error instanceof Error ? error.message : String(error)}`,
    fix: 'preflight needs read access: sts:GetCallerIdentity, cloudformation:DescribeStacks, iam:GetRole, lambda:GetAccountSettings, apigateway:GET on /account',
  };
}

async function checkIdentity(clients: PreflightClients): Promise<PreflightCheck> {
  try {
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
    const region = await clients.sts.config.region();
    return {
      id: 'credentials',
      status: 'ok',
      message: `account ${identity.Account} in ${region}, as ${identity.Arn}`,
    };
  } catch (error) {
    return {
      id: 'credentials',
      status: 'fail',
      message: `no usable AWS credentials: ${errorName(error)}: ${error instanceof Error ? error.message : String(error)}`,
      fix: 'configure credentials for the target account (aws configure / AWS_PROFILE) and a region (AWS_REGION)',
    };
  }
}

async function checkBootstrap(clients: PreflightClients): Promise<PreflightCheck> {
  try {
    const answer = await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: 'CDKToolkit' }));
    const status = answer.Stacks?.[0]?.StackStatus ?? 'unknown';
    return status.endsWith('_COMPLETE') && !status.startsWith('DELETE') && !status.includes('ROLLBACK')
      ? { id: 'cdk-bootstrap', status: 'ok', message: `CDKToolkit stack is ${status}` }
      : {
          id: 'cdk-bootstrap',
          status: 'fail',
          message: `CDKToolkit stack is ${status}`,
          fix: 'npx cdk bootstrap aws://ACCOUNT/REGION',
        };
  } catch (error) {
    // DescribeStacks answers ValidationError "Stack with id CDKToolkit does not exist".
    if (errorName(error) === 'ValidationError' && /does not exist/.test(String((error as Error).message)))
      return {
        id: 'cdk-bootstrap',
        status: 'fail',
        message: 'the region is not bootstrapped for the CDK (no CDKToolkit stack)',
        fix: 'npx cdk bootstrap aws://ACCOUNT/REGION',
      };
    return couldNotCheck('cdk-bootstrap', 'the CDK bootstrap stack', error);
  }
}

async function checkServiceLinkedRole(
  clients: PreflightClients,
  role: (typeof ECS_SERVICE_LINKED_ROLES)[number],
): Promise<PreflightCheck> {
  const id = `service-linked-role:${role.roleName}`;
  try {
    await clients.iam.send(new GetRoleCommand({ RoleName: role.roleName }));
    return { id, status: 'ok', message: `${role.roleName} exists` };
  } catch (error) {
    if (errorName(error) === 'NoSuchEntityException')
      return {
        id,
        status: 'warn',
        message: `${role.roleName} does not exist yet: the first deploy creates it (if the deployer may iam:CreateServiceLinkedRole) and can fail while it propagates`,
        fix: `aws iam create-service-linked-role --aws-service-name ${role.service}`,
      };
    return couldNotCheck(id, role.roleName, error);
  }
}

async function checkLambdaConcurrency(
  clients: PreflightClients,
  config: ApiGwWebSocketConfig,
): Promise<PreflightCheck> {
  const reserved = config.notifyReservedConcurrency + 2 * config.connectReservedConcurrency;
  try {
    const settings = await clients.lambda.send(new GetAccountSettingsCommand({}));
    const limit = settings.AccountLimit?.ConcurrentExecutions ?? 0;
    const unreserved = settings.AccountLimit?.UnreservedConcurrentExecutions ?? 0;
    const left = unreserved - reserved;
    const what = `Lambda concurrency: account limit ${limit}, unreserved ${unreserved}; the stack reserves ${reserved} (notify ${config.notifyReservedConcurrency}, authorizer and $connect ${config.connectReservedConcurrency} each)`;
    if (left < LAMBDA_MIN_UNRESERVED)
      return {
        id: 'lambda-concurrency',
        status: 'fail',
        message: `${what}, which would leave ${left} unreserved: Lambda refuses a reservation below ${LAMBDA_MIN_UNRESERVED}`,
        fix: `ask for a higher "Concurrent executions" quota (Service Quotas, AWS Lambda, L-B99A9384; the usual default is ${LAMBDA_DEFAULT_CONCURRENCY}), or set connectReservedConcurrency and notifyReservedConcurrency to 0 in ${APIGW_CONTEXT_KEY} for a trial`,
      };
    if (limit < LAMBDA_DEFAULT_CONCURRENCY)
      return {
        id: 'lambda-concurrency',
        status: 'warn',
        message: `${what}: the limit is below the usual ${LAMBDA_DEFAULT_CONCURRENCY} (a new account), so bursts throttle early`,
        fix: 'ask for a higher "Concurrent executions" quota (Service Quotas, AWS Lambda, L-B99A9384)',
      };
    return { id: 'lambda-concurrency', status: 'ok', message: what };
  } catch (error) {
    return couldNotCheck('lambda-concurrency', 'the Lambda concurrency quota', error);
  }
}

async function checkApiGatewayAccount(
  clients: PreflightClients,
  config: ApiGwWebSocketConfig,
): Promise<PreflightCheck[]> {
  let account: GetAccountCommandOutput;
  try {
    account = await clients.apiGateway.send(new GetAccountCommand({}));
  } catch (error) {
    return [couldNotCheck('apigateway-log-role', "API Gateway's account settings", error)];
  }
  const role = account.cloudwatchRoleArn;
  const setting = config.apiGatewayLogRole;
  const checks: PreflightCheck[] = [];
  const id = 'apigateway-log-role';
  if (role) {
    checks.push(
      setting === 'existing'
        ? { id, status: 'ok', message: `API Gateway logs through ${role}; apiGatewayLogRole is 'existing'` }
        : setting === 'create'
          ? {
              id,
              status: 'warn',
              message: `the account already logs through ${role}; apiGatewayLogRole 'create' would replace it with the stack's role (and whatever manages ${role} would then fight over the setting)`,
              fix: `set "apiGatewayLogRole": "existing" in ${APIGW_CONTEXT_KEY}`,
            }
          : {
              id,
              status: 'warn',
              message: `the account has an API Gateway CloudWatch role (${role}) but apiGatewayLogRole is 'none': the WebSocket stage writes no access logs`,
              fix: `set "apiGatewayLogRole": "existing" in ${APIGW_CONTEXT_KEY}`,
            },
    );
  } else {
    checks.push(
      setting === 'existing'
        ? {
            id,
            status: 'fail',
            message:
              'the account has no API Gateway CloudWatch role but apiGatewayLogRole is \'existing\': the deploy would fail with "CloudWatch Logs role ARN must be set in account settings to enable logging"',
            fix: `set "apiGatewayLogRole": "create" (the stack sets the account's role) or "none" in ${APIGW_CONTEXT_KEY}`,
          }
        : setting === 'create'
          ? {
              id,
              status: 'ok',
              message: "no API Gateway CloudWatch role yet; apiGatewayLogRole 'create' sets one",
            }
          : {
              id,
              status: 'warn',
              message:
                "no API Gateway CloudWatch role in the account and apiGatewayLogRole is 'none': the deploy works, the WebSocket stage writes no access logs",
              fix: `set "apiGatewayLogRole": "create" in ${APIGW_CONTEXT_KEY} to have the stack set one`,
            },
    );
  }
  // The account-level throttle caps every stage (API Gateway quotas page: 10,000 requests/s, 2,500
  // in some Regions), WebSocket callbacks included.
  const accountRate = account.throttleSettings?.rateLimit;
  if (accountRate !== undefined) {
    const stageRate = config.throttleRateLimit + config.jobsThrottleRateLimit;
    checks.push(
      stageRate > accountRate
        ? {
            id: 'apigateway-throttle',
            status: 'warn',
            message: `the stages allow ${stageRate} requests/s together, above the account's ${accountRate}/s: the account limit throttles first`,
            fix: 'lower throttleRateLimit / jobsThrottleRateLimit, or ask for a higher API Gateway throttle quota',
          }
        : {
            id: 'apigateway-throttle',
            status: 'ok',
            message: `account throttle ${accountRate} requests/s (burst ${account.throttleSettings?.burstLimit}); the stages allow ${stageRate}/s`,
          },
    );
  }
  return checks;
}

/** Every check for `variant`, in the order a deploy would meet them. Read-only. */
export async function runPreflightChecks(
  clients: PreflightClients,
  options: PreflightOptions = {},
): Promise<PreflightCheck[]> {
  const variant = options.variant ?? 'both';
  const identity = await checkIdentity(clients);
  if (identity.status !== 'ok') return [identity];
  const checks = [identity, await checkBootstrap(clients)];
  if (variant !== 'apigw')
    for (const role of ECS_SERVICE_LINKED_ROLES) checks.push(await checkServiceLinkedRole(clients, role));
  if (variant !== 'ecs') {
    const config = options.apigw ?? resolveApiGwWebSocketConfig({});
    checks.push(await checkLambdaConcurrency(clients, config));
    checks.push(...(await checkApiGatewayAccount(clients, config)));
  }
  return checks;
}

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', unknown: '??  ' };

export function formatChecks(checks: PreflightCheck[]): string {
  return checks
    .map((c) => `${MARK[c.status]} ${c.id}: ${c.message}${c.fix === undefined ? '' : `\n     -> ${c.fix}`}`)
    .join('\n');
}

/** The `syncbell:apigw` context of a cdk.json (what `cdk synth` would read), if the file has one. */
export function apigwContextOf(cdkJsonPath: string): unknown {
  let text: string;
  try {
    text = readFileSync(cdkJsonPath, 'utf8');
  } catch {
    return {};
  }
  return (JSON.parse(text) as { context?: Record<string, unknown> }).context?.[APIGW_CONTEXT_KEY] ?? {};
}

const USAGE = `usage: syncbell preflight [--variant ecs|apigw|both] [--region REGION] [--cdk-json FILE]

Read-only checks of the AWS account and region a first \`cdk deploy\` targets (credentials, CDK
bootstrap, service-linked roles, Lambda concurrency, API Gateway's CloudWatch role and throttle).
The API Gateway knobs come from the cdk.json context "${APIGW_CONTEXT_KEY}" (default ./cdk.json).
Exit code 0 when nothing fails (warnings allowed), 1 otherwise.
`;

export async function runPreflight(
  argv: string[],
  makeClients: (region: string | undefined) => PreflightClients = (region) => ({
    sts: new STSClient({ region }),
    cloudFormation: new CloudFormationClient({ region }),
    iam: new IAMClient({ region }),
    lambda: new LambdaClient({ region }),
    apiGateway: new APIGatewayClient({ region }),
  }),
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      variant: { type: 'string', default: 'both' },
      region: { type: 'string' },
      'cdk-json': { type: 'string', default: 'cdk.json' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    write(USAGE);
    return 0;
  }
  const variant = values.variant;
  if (variant !== 'ecs' && variant !== 'apigw' && variant !== 'both') {
    write(`--variant must be ecs, apigw or both, not ${variant}\n\n${USAGE}`);
    return 2;
  }
  const apigw = resolveApiGwWebSocketConfig(apigwContextOf(values['cdk-json']));
  const checks = await runPreflightChecks(makeClients(values.region), { variant, apigw });
  write(`${formatChecks(checks)}\n`);
  const failed = checks.filter((c) => c.status === 'fail' || c.status === 'unknown').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  write(
    failed > 0
      ? `\n${failed} check(s) would stop or could not vouch for a first deploy; fix them before \`cdk deploy\`.\n`
      : `\nready to deploy${warned > 0 ? ` (${warned} warning(s))` : ''}.\n`,
  );
  return failed > 0 ? 1 : 0;
}
