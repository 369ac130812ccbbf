import type { ConnectionsStore } from '../data/connections.js';
import { type HttpResult, webSocketEventSchema } from '../events.js';
import { MetricName, type Telemetry } from '../observability.js';
import { getRuntime, lambdaHandler } from '../runtime.js';

export interface DisconnectDeps {
  connections: ConnectionsStore;
  telemetry: Telemetry;
}

/**
 * `$disconnect`: delete the row. AWS delivers this event best-effort only, so the row's TTL
 * and the 410 handling in notify are what really keep the table clean.
 */
export function createDisconnectHandler(deps: () => DisconnectDeps): (event: unknown) => Promise<HttpResult> {
  return async (rawEvent) => {
    const { connections, telemetry } = deps();
    const { connectionId } = webSocketEventSchema.parse(rawEvent).requestContext;
    await connections.delete(connectionId);
    telemetry.count(MetricName.Disconnected);
    return { statusCode: 200 };
  };
}

export const handler = lambdaHandler(
  createDisconnectHandler(() => {
    const runtime = getRuntime();
    return { connections: runtime.connections, telemetry: runtime.telemetry };
  }),
);
