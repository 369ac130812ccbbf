import {
  type ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { backoff } from '@syncbell/contract/backoff';
import type { ServerFrame } from '@syncbell/contract';
import { ConnectionGoneError } from '../errors.js';

const THROTTLING_NAMES = new Set([
  'LimitExceededException',
  'ThrottlingException',
  'TooManyRequestsException',
]);

interface AwsErrorShape {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

function httpStatusOf(error: unknown): number | undefined {
  return (error as AwsErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/**
 * The ONE place a management-API 410 becomes `ConnectionGoneError`. The status code is what
 * counts: serverless-offline's 410 does not carry the `GoneException` name AWS uses.
 */
export function translateManagementError(connectionId: string, error: unknown): unknown {
  if (httpStatusOf(error) === 410) return new ConnectionGoneError(connectionId, { cause: error });
  return error;
}

export function isThrottling(error: unknown): boolean {
  return (
    httpStatusOf(error) === 429 || THROTTLING_NAMES.has((error as AwsErrorShape | undefined)?.name ?? '')
  );
}

export interface FramePosterOptions {
  client: ApiGatewayManagementApiClient;
  /** Extra attempts after a throttled post. @default 4 */
  maxThrottleRetries?: number;
  /** @default 50 */
  minBackoffMs?: number;
  /** @default 2000 */
  maxBackoffMs?: number;
  /** Called for every throttled attempt (metrics). @default no-op */
  onThrottled?: (connectionId: string, attempt: number) => void;
  /** Injectable for tests. @default setTimeout-based sleep */
  sleep?: (ms: number) => Promise<void>;
}

export interface FramePoster {
  /** Posts one frame. Throws `ConnectionGoneError` for a gone connection; throttling is retried. */
  post(connectionId: string, frame: ServerFrame): Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createFramePoster(options: FramePosterOptions): FramePoster {
  const maxThrottleRetries = options.maxThrottleRetries ?? 4;
  const minBackoffMs = options.minBackoffMs ?? 50;
  const maxBackoffMs = options.maxBackoffMs ?? 2000;
  const sleep = options.sleep ?? defaultSleep;
  return {
    async post(connectionId, frame) {
      const data = new TextEncoder().encode(JSON.stringify(frame));
      for (let attempt = 0; ; attempt++) {
        try {
          await options.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
          return;
        } catch (error) {
          if (isThrottling(error) && attempt < maxThrottleRetries) {
            options.onThrottled?.(connectionId, attempt);
            await sleep(backoff(attempt, minBackoffMs, maxBackoffMs));
            continue;
          }
          throw translateManagementError(connectionId, error);
        }
      }
    },
  };
}
