import { ConfigError } from '@syncbell/server';

/**
 * API Gateway's account quotas the local stand-in enforces (docs/APIGW.md, "Quotas, locally").
 *
 * - `newConnectionsPerSecond`: "New connections per second per account (across all WebSocket APIs)
 *   per Region: 500, can be increased" (API Gateway developer guide, "Quotas for configuring and
 *   running a WebSocket API in API Gateway", apigateway-execution-service-websocket-limits-table).
 * - `accountRequestsPerSecond` / `accountBurst`: the account-level throttle, 10,000 requests per
 *   second with a token bucket of 5,000 (API Gateway developer guide, "Amazon API Gateway quotas",
 *   limits.html, and "Protect your WebSocket APIs in API Gateway", websocket-api-protect.html: "API
 *   Gateway throttles requests to your API using the token bucket algorithm, where a token counts
 *   for a request ... across all APIs within an AWS account, per Region"), shared by REST, HTTP and
 *   WebSocket APIs and the WebSocket callback (`@connections`) calls.
 */
export interface ApigwQuotas {
  newConnectionsPerSecond: number;
  accountRequestsPerSecond: number;
  accountBurst: number;
}

/** AWS's defaults (us-east-1 and most Regions; some Regions have 2,500 requests/s). */
export const AWS_QUOTAS: Readonly<ApigwQuotas> = Object.freeze({
  newConnectionsPerSecond: 500,
  accountRequestsPerSecond: 10_000,
  accountBurst: 5_000,
});

/** The fleet AWS's figures are scaled from: the 10,000-client storm. */
export const AWS_REFERENCE_FLEET = 10_000;

/**
 * AWS's quotas scaled to a local fleet: each figure × `localClients / referenceClients`, so a
 * storm of `localClients` here takes as long, by quota, as one of `referenceClients` on AWS
 * (5,000 clients at 250 connects/s need 20 s, as 10,000 need at 500/s). Rounded up, at least 1.
 */
export function quotasForFleet(localClients: number, referenceClients = AWS_REFERENCE_FLEET): ApigwQuotas {
  if (!(localClients > 0) || !(referenceClients > 0))
    throw new ConfigError(
      `quotasForFleet needs positive fleet sizes (got ${localClients} of ${referenceClients})`,
    );
  const scale = localClients / referenceClients;
  const scaled = (value: number) => Math.max(1, Math.ceil(value * scale));
  return {
    newConnectionsPerSecond: scaled(AWS_QUOTAS.newConnectionsPerSecond),
    accountRequestsPerSecond: scaled(AWS_QUOTAS.accountRequestsPerSecond),
    accountBurst: scaled(AWS_QUOTAS.accountBurst),
  };
}

/** Refuses a quota that is not a positive number, naming it. */
export function checkQuotas(quotas: ApigwQuotas): ApigwQuotas {
  for (const [name, value] of Object.entries(quotas))
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new ConfigError(`quotas.${name} must be a positive number (got ${String(value)})`);
  return quotas;
}

/**
 * The token bucket AWS describes: `capacity` tokens, refilled at `ratePerSecond`, one taken per
 * request; a request that finds the bucket empty is throttled. Written here (twelve lines) because
 * the rate limiters on npm either queue (bottleneck), count per key in a store
 * (rate-limiter-flexible) or pace with timers (limiter): none simply answers "refuse now" from a
 * bucket, which is what API Gateway does.
 */
export class TokenBucket {
  #tokens: number;
  #refilledAtMs: number;
  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    readonly now: () => number = Date.now,
  ) {
    this.#tokens = capacity;
    this.#refilledAtMs = now();
  }

  /** Takes a token when there is one. */
  take(): boolean {
    const nowMs = this.now();
    this.#tokens = Math.min(
      this.capacity,
      this.#tokens + ((nowMs - this.#refilledAtMs) / 1000) * this.ratePerSecond,
    );
    this.#refilledAtMs = nowMs;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
