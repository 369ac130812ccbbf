import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError } from '@syncbell/server';
import { type ApigwConfig, loadConfig } from './config.js';

/**
 * SDK clients live at module scope so a warm Lambda reuses their connections. Everything is
 * created lazily: a cold start that fails validation fails on first use with a clear message,
 * and tests can import handlers without touching AWS.
 */
let config: ApigwConfig | undefined;
let documentClient: DynamoDBDocumentClient | undefined;
let lambdaClient: LambdaClient | undefined;
const managementClients = new Map<string, ApiGatewayManagementApiClient>();

export function getConfig(): ApigwConfig {
  if (config === undefined && process.env.JWT_SECRET_ARN)
    throw new ConfigError(
      'JWT_SECRET_ARN is set: the handler must await loadSecrets() before using the config',
    );
  config ??= loadConfig();
  return config;
}

/**
 * Cold start: with JWT_SECRET_ARN, reads the secret from Secrets Manager (Powertools Parameters,
 * which also caches it) and builds the config with it; the value never enters `process.env` or
 * the function's configuration, so `lambda:GetFunctionConfiguration` does not reveal it. Without
 * it (serverless-offline, tests) the config comes from JWT_SECRET as before. Once per execution
 * environment: a rotated secret reaches new environments (a redeploy), as on the containers.
 */
export async function loadSecrets(env: Record<string, string | undefined> = process.env): Promise<void> {
  if (config !== undefined) return;
  const arn = env.JWT_SECRET_ARN;
  if (!arn) {
    config = loadConfig(env);
    return;
  }
  if (env.JWT_SECRET) throw new ConfigError('set JWT_SECRET or JWT_SECRET_ARN, not both');
  const secret = await getSecret<string>(arn);
  if (typeof secret !== 'string' || secret === '')
    throw new ConfigError(`the secret ${arn} has no SecretString (the HS256 secret must be a string)`);
  config = loadConfig({ ...env, JWT_SECRET: secret });
}

/** Forgets the config and clients (tests: a new execution environment). */
export function resetClients(): void {
  config = undefined;
  documentClient = undefined;
  lambdaClient = undefined;
  managementClients.clear();
}

export function getDocumentClient(): DynamoDBDocumentClient {
  if (!documentClient) {
    const { dynamodbEndpoint } = getConfig();
    documentClient = DynamoDBDocumentClient.from(
      new DynamoDBClient(dynamodbEndpoint === undefined ? {} : { endpoint: dynamodbEndpoint }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
  }
  return documentClient;
}

export function getLambdaClient(): LambdaClient {
  if (!lambdaClient) {
    const { lambdaEndpoint } = getConfig();
    lambdaClient = new LambdaClient(lambdaEndpoint === undefined ? {} : { endpoint: lambdaEndpoint });
  }
  return lambdaClient;
}

/**
 * One management client per endpoint. Retries are ours (`postFrame` retries throttling with
 * backoff), so the SDK's own retry is off to avoid multiplying attempts.
 */
export function getManagementClient(endpoint: string): ApiGatewayManagementApiClient {
  let client = managementClients.get(endpoint);
  if (!client) {
    client = new ApiGatewayManagementApiClient({ endpoint, maxAttempts: 1 });
    managementClients.set(endpoint, client);
  }
  return client;
}

/** `https://{domain}/{stage}`: the `@connections` endpoint of the API that sent this event. */
export function managementEndpointFor(requestContext: { domainName?: string; stage?: string }): string {
  const configured = getConfig().managementEndpoint;
  if (configured !== undefined) return configured;
  if (!requestContext.domainName || !requestContext.stage) {
    throw new ConfigError('WEBSOCKET_MANAGEMENT_ENDPOINT is not set and the event has no domainName/stage');
  }
  return `https://${requestContext.domainName}/${requestContext.stage}`;
}
