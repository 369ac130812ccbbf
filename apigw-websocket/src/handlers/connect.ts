import { authenticate, hs256Verifier, type JwtKey } from '@syncbell/server';
import type { ConnectionsStore } from '../data/connections.js';
import { type HttpResult, jsonResult, webSocketEventSchema } from '../events.js';
import { MetricName, type Telemetry } from '../observability.js';
import { getRuntime, lambdaHandler } from '../runtime.js';

export interface ConnectDeps {
  connections: ConnectionsStore;
  /** The HS256 key, as text or bytes (`JwtKey`, normalised once by `hs256Verifier`). */
  jwtKey: JwtKey;
  telemetry: Telemetry;
}

/**
 * `$connect`. In production the REQUEST authorizer has already verified the token and passes
 * `userId` in its context. With no authorizer context (serverless-offline with --noAuth, a
 * stage deployed without the authorizer) the token is verified here, so no path trusts it
 * unverified. Browsers cannot set WebSocket headers, hence `?token=` in the query string.
 */
export function createConnectHandler(deps: () => ConnectDeps): (event: unknown) => Promise<HttpResult> {
  return async (rawEvent) => {
    const { connections, jwtKey, telemetry } = deps();
    const event = webSocketEventSchema.parse(rawEvent);
    const { connectionId } = event.requestContext;
    let userId = event.requestContext.authorizer?.userId;
    if (userId === undefined) {
      const auth = await authenticate(event.queryStringParameters?.token, hs256Verifier(jwtKey));
      if (!auth.ok) {
        telemetry.count(MetricName.ConnectRefused);
        telemetry.logger.info('connection refused', { connectionId, code: auth.error.code });
        return jsonResult(auth.status, auth.error);
      }
      userId = auth.userId;
    }
    await connections.put(connectionId, userId);
    telemetry.count(MetricName.Connected);
    telemetry.logger.debug('connected', { connectionId, userId });
    return { statusCode: 200 };
  };
}

export const handler = lambdaHandler(
  createConnectHandler(() => {
    const runtime = getRuntime();
    return {
      connections: runtime.connections,
      jwtKey: runtime.config.jwtKey,
      telemetry: runtime.telemetry,
    };
  }),
);
