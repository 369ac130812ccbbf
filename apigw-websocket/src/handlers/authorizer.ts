import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { SyncbellError } from '@syncbell/contract';
import { authenticate, hs256Verifier, type JwtKey } from '@syncbell/server';
import { authorizerEventSchema } from '../events.js';
import { MetricName, type Telemetry } from '../observability.js';
import { getRuntime, lambdaHandler } from '../runtime.js';

export interface AuthorizerDeps {
  /** The HS256 key, as text or bytes (`JwtKey`, normalised once by `hs256Verifier`). */
  jwtKey: JwtKey;
  telemetry: Telemetry;
}

function policy(principalId: string, effect: 'Allow' | 'Deny', resource: string): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
  };
}

/**
 * REQUEST authorizer for `$connect` (identity source: `route.request.querystring.token`).
 * A refusal is a Deny policy: API Gateway answers the upgrade with 403, and so does
 * serverless-offline (throwing 'Unauthorized' would be a 401 on AWS but a 500 offline).
 * The verified `userId` travels in the context to every route of the connection.
 */
export function createAuthorizerHandler(
  deps: () => AuthorizerDeps,
): (event: unknown) => Promise<APIGatewayAuthorizerResult> {
  return async (rawEvent) => {
    const { jwtKey, telemetry } = deps();
    const event = authorizerEventSchema.parse(rawEvent);
    const auth = await authenticate(event.queryStringParameters?.token, hs256Verifier(jwtKey));
    if (auth.ok)
      return {
        ...policy(auth.userId, 'Allow', event.methodArn),
        context: {
          userId: auth.userId,
          ...(auth.expiresAtSeconds === undefined ? {} : { tokenExpiresAtSeconds: auth.expiresAtSeconds }),
        },
      };
    // The one rule of both variants (`authenticate`): a verification that failed for another
    // reason than the token is a 500 the client retries, not a refusal. A throw from an authorizer
    // is answered 500 by API Gateway.
    if (auth.status === 500) throw new SyncbellError(auth.error.code, auth.error.message);
    telemetry.count(MetricName.ConnectRefused);
    telemetry.logger.info('authorizer refused a connection', { code: auth.error.code });
    return policy('anonymous', 'Deny', event.methodArn);
  };
}

export const handler = lambdaHandler(
  createAuthorizerHandler(() => {
    const runtime = getRuntime();
    return { jwtKey: runtime.config.jwtKey, telemetry: runtime.telemetry };
  }),
);
