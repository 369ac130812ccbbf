import { z } from 'zod';
import { parseConfig, publishApiKeys, publishApiKeysEnvSchema, resolveJwtSecret } from '@syncbell/server';
import { APIGW_DEFAULTS } from './defaults.js';

/**
 * API Gateway caps a WebSocket connection at 2 hours (FACTS.md). Connection rows expire a
 * little after that, because `$disconnect` is best-effort and may never arrive.
 */
export const CONNECTION_MAX_AGE_SECONDS = 2 * 60 * 60;
/** API Gateway closes a connection that carried no frame for 10 minutes; it cannot be raised (FACTS.md). */
export const IDLE_TIMEOUT_SECONDS = 10 * 60;
/** Slack past the cap so a row never expires while its connection can still be alive. */
export const CONNECTION_TTL_SLACK_SECONDS = 5 * 60;
/**
 * The largest client frame `$default` accepts. Every legal frame of the protocol is under 200
 * bytes; API Gateway itself closes with 1009 only above 128 KB, so the handler must check.
 */
export const MAX_CLIENT_FRAME_BYTES = 4096;
/** Management API `PostToConnection` payload limit (128 KB); replays are split below it. */
export const MAX_SERVER_FRAME_BYTES = 120 * 1024;

/** The replay TTL's limits (`REPLAY_TTL_SECONDS`; the CDK construct's `replayTtlSeconds` takes the same). */
export const MIN_REPLAY_TTL_SECONDS = 60;
export const MAX_REPLAY_TTL_SECONDS = 30 * 24 * 60 * 60;
/** The limits of `NOTIFY_CONCURRENCY` (the CDK construct's `notifyConcurrency` takes the same). */
export const MAX_NOTIFY_CONCURRENCY = 100;

const optionalUrl = z.url().optional();

/** Every environment variable of the variant, with its default. docs/APIGW.md lists them too. */
export const envSchema = z.object({
  /** Connections table name. @default 'syncbell-connections' */
  CONNECTIONS_TABLE: z.string().min(3).default(APIGW_DEFAULTS.connectionsTable),
  /** Notifications (replay log) table name. @default 'syncbell-notifications' */
  NOTIFICATIONS_TABLE: z.string().min(3).default(APIGW_DEFAULTS.notificationsTable),
  /** GSI on the connections table keyed by `userId`. @default 'byUser' */
  CONNECTIONS_BY_USER_INDEX: z.string().min(3).default(APIGW_DEFAULTS.connectionsByUserIndex),
  /** DynamoDB endpoint override (dynalite, DynamoDB Local). @default undefined (the AWS endpoint) */
  DYNAMODB_ENDPOINT: optionalUrl,
  /**
   * `@connections` endpoint, e.g. `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`
   * or `http://localhost:3001` offline. @default undefined (derived from the request context;
   * `notify` has no request context, so it needs this set)
   */
  WEBSOCKET_MANAGEMENT_ENDPOINT: optionalUrl,
  /** Function the jobs handler invokes asynchronously. @default undefined (run notify in-process) */
  NOTIFY_FUNCTION_NAME: z.string().optional(),
  /** Lambda endpoint override (serverless-offline's Lambda port). @default undefined */
  LAMBDA_ENDPOINT: optionalUrl,
  /** HS256 secret, at least 32 bytes; required when NODE_ENV=production. @default the dev secret */
  JWT_SECRET: z.string().optional(),
  /**
   * ARN of the Secrets Manager secret holding the HS256 secret (what the stacks set): read once per
   * execution environment at cold start (`loadSecrets`), so the value never sits in the function's
   * environment. Exclusive with JWT_SECRET, which stays for local development.
   * @default undefined (JWT_SECRET)
   */
  JWT_SECRET_ARN: z.string().startsWith('arn:').optional(),
  /** @default 'development' */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** How long a notification stays replayable. @default 86400 (1 day) */
  REPLAY_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(MIN_REPLAY_TTL_SECONDS)
    .max(MAX_REPLAY_TTL_SECONDS)
    .default(APIGW_DEFAULTS.replayTtlSeconds),
  /** Parallel `PostToConnection` calls per notification. @default 10 */
  NOTIFY_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_NOTIFY_CONCURRENCY)
    .default(APIGW_DEFAULTS.notifyConcurrency),
  /**
   * `PUBLISH_API_KEYS`: server credentials of `POST /v1/publish` where IAM cannot vouch for the
   * caller (the local stack: serverless-offline verifies no SigV4), sent as `x-api-key`,
   * comma-separated so a key can be rotated, each at least 32 characters; `PUBLISH_API_KEY`, one
   * key, is still accepted beside them. The same two settings as the socket.io variant's.
   * @default none (only IAM-authenticated requests publish, and only in production)
   */
  ...publishApiKeysEnvSchema,
});

export interface ApigwConfig {
  connectionsTable: string;
  notificationsTable: string;
  connectionsByUserIndex: string;
  dynamodbEndpoint: string | undefined;
  managementEndpoint: string | undefined;
  notifyFunctionName: string | undefined;
  lambdaEndpoint: string | undefined;
  jwtKey: Uint8Array;
  isDevSecret: boolean;
  nodeEnv: 'development' | 'production' | 'test';
  replayTtlSeconds: number;
  notifyConcurrency: number;
  /** `PUBLISH_API_KEYS` and `PUBLISH_API_KEY` (`publishApiKeys`). */
  publishApiKeys: string[];
}

/**
 * Parses and validates the environment once (an empty variable is unset); a bad value stops the
 * cold start with a `ConfigError` naming every bad variable.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): ApigwConfig {
  const values = parseConfig(envSchema, env, 'invalid apigw-websocket configuration');
  const secret = resolveJwtSecret({ JWT_SECRET: values.JWT_SECRET, NODE_ENV: values.NODE_ENV });
  return {
    connectionsTable: values.CONNECTIONS_TABLE,
    notificationsTable: values.NOTIFICATIONS_TABLE,
    connectionsByUserIndex: values.CONNECTIONS_BY_USER_INDEX,
    dynamodbEndpoint: values.DYNAMODB_ENDPOINT,
    managementEndpoint: values.WEBSOCKET_MANAGEMENT_ENDPOINT,
    notifyFunctionName: values.NOTIFY_FUNCTION_NAME,
    lambdaEndpoint: values.LAMBDA_ENDPOINT,
    jwtKey: secret.key,
    isDevSecret: secret.isDevSecret,
    nodeEnv: values.NODE_ENV,
    replayTtlSeconds: values.REPLAY_TTL_SECONDS,
    notifyConcurrency: values.NOTIFY_CONCURRENCY,
    publishApiKeys: publishApiKeys(values),
  };
}
