import { hostname } from 'node:os';

/** What one process of the example reads from its environment (as an ECS task definition sets it). */
export interface AppConfig {
  /** `web`: the HTTP API, the page and the socket.io gateway. `worker`: runs calendar syncs. */
  role: 'web' | 'worker';
  /** @default 3000 */
  port: number;
  /**
   * Shown on the page: which container took the request and which one finished it.
   * @default `<role>@<hostname>` (on Fargate the hostname is unique per task)
   */
  instanceId: string;
  /** `rediss://` turns TLS on (ElastiCache in transit encryption). @default redis://127.0.0.1:6379 */
  redisUrl: string;
  /** ElastiCache's AUTH token (REDIS_AUTH_TOKEN, from Secrets Manager on ECS). @default none */
  redisAuthToken: string | undefined;
  /** How long the pretend calendar sync takes. @default 1500 */
  syncDurationMs: number;
}

export const APP_CONFIG = Symbol('app-config');

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const role = env.ROLE ?? 'web';
  if (role !== 'web' && role !== 'worker') throw new Error(`ROLE must be web or worker, got ${role}`);
  const number = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
    return value;
  };
  return {
    role,
    port: number('PORT', 3000),
    instanceId: env.INSTANCE_ID ?? `${role}@${hostname()}`,
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisAuthToken: env.REDIS_AUTH_TOKEN || undefined,
    syncDurationMs: number('SYNC_DURATION_MS', 1500),
  };
}
