import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
  config ??= loadConfig();
  return config;
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
    throw new Error('WEBSOCKET_MANAGEMENT_ENDPOINT is not set and the event has no domainName/stage');
  }
  return `https://${requestContext.domainName}/${requestContext.stage}`;
}
