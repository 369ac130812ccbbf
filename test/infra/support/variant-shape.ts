/**
 * The deployment-relevant shape of the Lambda variant, read from a CloudFormation template, so
 * the CDK stack and the serverless.yml package can be compared field by field.
 */

export interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}
export type Resources = Record<string, Resource>;

export interface RouteShape {
  routeKey: string;
  authorizationType: string;
  /** Handler name (`connect`, ...) the route's integration invokes. */
  handler: string | undefined;
  /** Identity sources of the route's authorizer, if any. */
  identitySource: string[] | undefined;
  /** Handler name of the authorizer function, if any. */
  authorizerHandler: string | undefined;
}

export interface TableShape {
  keySchema: { name: string; keyType: string }[];
  attributes: string[];
  indexes: { name: string; keys: string[]; projection: string }[];
  ttlAttribute: string | undefined;
  billingMode: string | undefined;
}

export interface FunctionShape {
  runtime: string;
  architectures: string[];
  memoryMiB: number;
  timeoutSeconds: number;
}

export interface VariantShape {
  routeSelectionExpression: string[];
  webSocketRoutes: RouteShape[];
  httpRouteKeys: string[];
  /** Keyed by the table's key schema, e.g. `connectionId` or `userId+id`. */
  tables: Record<string, TableShape>;
  functions: Record<string, FunctionShape>;
}

function ofType(resources: Resources, type: string): [string, Record<string, unknown>][] {
  return Object.entries(resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
}

/** Logical id of the first `Fn::GetAtt`/`Ref` target found inside a CloudFormation value. */
function referencedLogicalId(value: unknown, within: Set<string>): string | undefined {
  const text = JSON.stringify(value ?? null);
  for (const match of text.matchAll(/"(?:Ref|Fn::GetAtt)":\s*\[?"([A-Za-z0-9]+)"/g)) {
    if (within.has(match[1] as string)) return match[1];
  }
  return undefined;
}

/**
 * @param handlerOf maps a Lambda function's logical id and properties to its handler name.
 */
export function variantShape(
  resources: Resources,
  handlerOf: (logicalId: string, properties: Record<string, unknown>) => string | undefined,
): VariantShape {
  const functions = ofType(resources, 'AWS::Lambda::Function');
  const functionIds = new Set(functions.map(([id]) => id));
  const handlerById = new Map(functions.map(([id, p]) => [id, handlerOf(id, p)]));
  const integrations = new Map(ofType(resources, 'AWS::ApiGatewayV2::Integration'));
  const authorizers = new Map(ofType(resources, 'AWS::ApiGatewayV2::Authorizer'));
  const apis = ofType(resources, 'AWS::ApiGatewayV2::Api');
  const apiProtocol = new Map(apis.map(([id, p]) => [id, p.ProtocolType as string | undefined]));
  const webSocketApiIds = new Set(apis.filter(([, p]) => p.ProtocolType === 'WEBSOCKET').map(([id]) => id));

  const integrationHandler = (target: unknown): string | undefined => {
    const integrationId = referencedLogicalId(target, new Set(integrations.keys()));
    if (integrationId === undefined) return undefined;
    const fnId = referencedLogicalId(integrations.get(integrationId)?.IntegrationUri, functionIds);
    return fnId === undefined ? undefined : handlerById.get(fnId);
  };

  const routes = ofType(resources, 'AWS::ApiGatewayV2::Route');
  const webSocketRoutes: RouteShape[] = [];
  const httpRouteKeys: string[] = [];
  for (const [, route] of routes) {
    const apiId = referencedLogicalId(route.ApiId, new Set(apiProtocol.keys()));
    const routeKey = route.RouteKey as string;
    if (apiId === undefined || !webSocketApiIds.has(apiId)) {
      httpRouteKeys.push(routeKey);
      continue;
    }
    const authorizerId = referencedLogicalId(route.AuthorizerId, new Set(authorizers.keys()));
    const authorizer = authorizerId === undefined ? undefined : authorizers.get(authorizerId);
    const authorizerFn =
      authorizer === undefined ? undefined : referencedLogicalId(authorizer.AuthorizerUri, functionIds);
    webSocketRoutes.push({
      routeKey,
      authorizationType: (route.AuthorizationType as string | undefined) ?? 'NONE',
      handler: integrationHandler(route.Target),
      identitySource: authorizer?.IdentitySource as string[] | undefined,
      authorizerHandler: authorizerFn === undefined ? undefined : handlerById.get(authorizerFn),
    });
  }
  webSocketRoutes.sort((a, b) => a.routeKey.localeCompare(b.routeKey));
  httpRouteKeys.sort();

  const tables: Record<string, TableShape> = {};
  for (const type of ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']) {
    for (const [, table] of ofType(resources, type)) {
      const keySchema = (table.KeySchema as { AttributeName: string; KeyType: string }[]).map((k) => ({
        name: k.AttributeName,
        keyType: k.KeyType,
      }));
      const indexes = ((table.GlobalSecondaryIndexes as Record<string, unknown>[] | undefined) ?? []).map(
        (index) => ({
          name: index.IndexName as string,
          keys: (index.KeySchema as { AttributeName: string; KeyType: string }[]).map(
            (k) => `${k.AttributeName}:${k.KeyType}`,
          ),
          projection: (index.Projection as { ProjectionType: string }).ProjectionType,
        }),
      );
      const ttl = table.TimeToLiveSpecification as { AttributeName: string; Enabled?: boolean } | undefined;
      tables[keySchema.map((k) => k.name).join('+')] = {
        keySchema,
        attributes: (table.AttributeDefinitions as { AttributeName: string; AttributeType: string }[])
          .map((a) => `${a.AttributeName}:${a.AttributeType}`)
          .sort(),
        indexes,
        // TTL without `Enabled: true` does not expire anything on the classic table resource.
        ttlAttribute: ttl !== undefined && ttl.Enabled !== false ? ttl.AttributeName : undefined,
        billingMode: table.BillingMode as string | undefined,
      };
    }
  }

  const functionShapes: Record<string, FunctionShape> = {};
  for (const [id, fn] of functions) {
    const name = handlerById.get(id);
    if (name === undefined) continue;
    functionShapes[name] = {
      runtime: fn.Runtime as string,
      architectures: (fn.Architectures as string[] | undefined) ?? ['x86_64'],
      memoryMiB: (fn.MemorySize as number | undefined) ?? 128,
      timeoutSeconds: (fn.Timeout as number | undefined) ?? 3,
    };
  }

  return {
    routeSelectionExpression: apis
      .filter(([, p]) => p.ProtocolType === 'WEBSOCKET')
      .map(([, p]) => p.RouteSelectionExpression as string),
    webSocketRoutes,
    httpRouteKeys,
    tables,
    functions: functionShapes,
  };
}

/** Environment variable names Lambda reserves: setting one fails the deployment. */
export const RESERVED_LAMBDA_ENV = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
];

/** Environment variable names of every Lambda function in a template. */
export function lambdaEnvironmentNames(resources: Resources): Record<string, string[]> {
  return Object.fromEntries(
    ofType(resources, 'AWS::Lambda::Function').map(([id, p]) => [
      id,
      Object.keys((p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}),
    ]),
  );
}
