import { randomBytes } from 'node:crypto';
import {
  ApiGatewayManagementApiClient,
  ApiGatewayManagementApiServiceException,
  LimitExceededException,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type ApigwLocal,
  type ApigwLocalOptions,
  startApigwLocal,
} from '../../apigw-websocket/local/stack.js';
import { writeLogEntry } from '../../apigw-websocket/local/publisher.js';
import { type ApigwConfig, loadConfig } from '../../apigw-websocket/src/config.js';
import { createNotifyHandler, type NotifyResult } from '../../apigw-websocket/src/handlers/notify.js';
import { publishNotification } from '../../apigw-websocket/src/notify/publish.js';
import type { MetricName, Telemetry } from '../../apigw-websocket/src/observability.js';
import { signToken } from '../../shared/server/auth/index.js';
import { apigwTransport, type Transport } from '../../shared/client/apigw.js';
import { createNotification, type Notification } from '../../shared/contract/index.js';
import { createHeapProbe, type HeapReading } from '../../benchmarks/load/process-stats.js';
import { descendantPids, rssBytes } from '../process-memory.js';

/** Faults injected into the real DynamoDB client the notify code uses. */
export interface DynamoFaults {
  /** Share of DynamoDB calls answered with ProvisionedThroughputExceededException, 0..1. */
  throttleRate: number;
  /** How many were injected so far. */
  injected: number;
  /** How many calls went through the client. */
  calls: number;
}

/**
 * Faults injected into the management API client the notify code posts with (`@connections`),
 * as AWS answers them: 429 `LimitExceededException` when the account's request rate is exceeded
 * (AWS API Gateway developer guide, "Amazon API Gateway quotas": the 10,000 requests/s account
 * throttle covers the WebSocket callback calls), 500 for an internal error.
 */
export interface PostFaults {
  /** Every post answers 429 while true. */
  throttled: boolean;
  /** Share of posts answered 500, 0..1 (when not throttled). */
  serverErrorRate: number;
  /** Posts answered 429 / 500 so far. */
  throttledPosts: number;
  failedPosts: number;
  /** Posts that went through the client. */
  calls: number;
}

export interface ChaosApigw {
  stack: ApigwLocal;
  jwtKey: Uint8Array;
  config: ApigwConfig;
  ddb: DynamoDBDocumentClient;
  management: ApiGatewayManagementApiClient;
  faults: DynamoFaults;
  postFaults: PostFaults;
  /** What the notify code logged and counted, by metric name. */
  counts: Map<string, number>;
  token(userId: string): Promise<string>;
  /** The stack's JWT secret (client processes sign their own tokens). */
  jwtSecret: string;
  transport(options?: Parameters<typeof apigwTransport>[0]): Transport;
  /** The notify core, as the notify Lambda runs it: log append, GSI query, PostToConnection. */
  publish(userId: string, sequence: number): Promise<Notification>;
  /** Publishes this exact envelope (a retried publish of the same notification). */
  publishEnvelope(notification: Notification): Promise<void>;
  /** Writes `entry` straight into `userId`'s replay log (the notifications table), bypassing every publisher. */
  writeLogEntry(userId: string, entry: unknown): Promise<void>;
  /** The notify Lambda's handler itself (an async invoke delivers an event to it). */
  invokeNotify(event: unknown): Promise<NotifyResult>;
  /** RSS of the serverless-offline process (the emulated API Gateway and the in-process handlers). */
  offlineRss(): Promise<{ pid: number; bytes: number } | undefined>;
  /**
   * serverless-offline's RSS, V8 heap in use and external memory right after a full garbage
   * collection it runs on request (the benchmarks' heap probe): what the process keeps, without the
   * garbage V8 had not yet collected. Throws when the process does not answer.
   */
  offlineRetained(): Promise<{ pid: number } & HeapReading>;
  stop(): Promise<void>;
}

export function recordingTelemetry(counts: Map<string, number>): Telemetry {
  const noop = () => {};
  return {
    logger: { info: noop, warn: noop, error: noop, debug: noop },
    count(name: MetricName, value = 1) {
      counts.set(name, (counts.get(name) ?? 0) + value);
    },
  };
}

/**
 * The API Gateway variant under serverless-offline + dynalite, plus this process's own copy of
 * the notify path (as the notify Lambda would run it) on a DynamoDB client whose middleware stack
 * can inject throttling: the SDK's real retry strategy sees those errors as AWS would send them.
 */
export async function startChaosApigw(options: ApigwLocalOptions = {}): Promise<ChaosApigw> {
  const jwtSecret = randomBytes(32).toString('base64url');
  const jwtKey = new TextEncoder().encode(jwtSecret);
  // The probe rides in serverless-offline's NODE_OPTIONS: a full GC and a memory reading on SIGUSR2.
  const probe = await createHeapProbe();
  const stack = await startApigwLocal({
    jwtSecret,
    ...options,
    offlineEnv: { ...options.offlineEnv, ...probe.env },
  });
  const config = loadConfig({
    CONNECTIONS_TABLE: stack.tables.connectionsTable,
    NOTIFICATIONS_TABLE: stack.tables.notificationsTable,
    CONNECTIONS_BY_USER_INDEX: stack.tables.connectionsByUserIndex,
    DYNAMODB_ENDPOINT: stack.dynamodbEndpoint,
    WEBSOCKET_MANAGEMENT_ENDPOINT: stack.managementEndpoint,
    JWT_SECRET: jwtSecret,
    NODE_ENV: 'development',
  });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const faults: DynamoFaults = { throttleRate: 0, injected: 0, calls: 0 };
  const raw = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: 'us-east-1', credentials });
  // Inside the retry loop (finalizeRequest, low priority runs after the retry middleware), so each
  // attempt can be throttled and the SDK's standard retry strategy backs off as it would on AWS.
  raw.middlewareStack.add(
    (next) => async (args) => {
      faults.calls++;
      if (faults.throttleRate > 0 && Math.random() < faults.throttleRate) {
        faults.injected++;
        throw new ProvisionedThroughputExceededException({
          message: 'chaos: throughput exceeded (injected)',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'chaosThrottle' },
  );
  const ddb = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const management = new ApiGatewayManagementApiClient({
    endpoint: stack.managementEndpoint,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });
  const postFaults: PostFaults = {
    throttled: false,
    serverErrorRate: 0,
    throttledPosts: 0,
    failedPosts: 0,
    calls: 0,
  };
  // As the DynamoDB faults above: inside the client, so the poster's own throttle retries see
  // each answer as the SDK would hand it over from AWS.
  management.middlewareStack.add(
    (next) => async (args) => {
      postFaults.calls++;
      if (postFaults.throttled) {
        postFaults.throttledPosts++;
        throw new LimitExceededException({
          message: 'chaos: too many requests (injected)',
          $metadata: { httpStatusCode: 429 },
        });
      }
      if (postFaults.serverErrorRate > 0 && Math.random() < postFaults.serverErrorRate) {
        postFaults.failedPosts++;
        throw new ApiGatewayManagementApiServiceException({
          name: 'InternalServerErrorException',
          $fault: 'server',
          message: 'chaos: internal server error (injected)',
          $metadata: { httpStatusCode: 500 },
        });
      }
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'chaosPostFaults' },
  );
  const counts = new Map<string, number>();
  const telemetry = recordingTelemetry(counts);
  const notify = createNotifyHandler(() => ({ ddb, management, config, telemetry }));
  return {
    stack,
    jwtKey,
    jwtSecret,
    config,
    ddb,
    management,
    faults,
    postFaults,
    counts,
    token: (userId) => signToken({ userId, key: jwtKey }),
    transport: (transportOptions) => apigwTransport(transportOptions),
    async publish(userId, sequence) {
      const notification = createNotification({
        type: 'sync.progress',
        userId,
        jobId: `chaos-${sequence}`,
        data: { sequence },
      });
      await publishNotification({ ddb, management, config, telemetry }, notification);
      return notification;
    },
    async publishEnvelope(notification) {
      await publishNotification({ ddb, management, config, telemetry }, notification);
    },
    writeLogEntry: (userId, entry) => writeLogEntry({ ddb, config }, userId, entry),
    invokeNotify: (event) => notify(event),
    async offlineRss() {
      const [pid] = await descendantPids(process.pid, 'serverless');
      const bytes = await rssBytes(pid);
      return pid === undefined || bytes === undefined ? undefined : { pid, bytes };
    },
    async offlineRetained() {
      const [pid] = await descendantPids(process.pid, 'serverless');
      // A full GC of a heap of hundreds of MiB on a loaded machine may outlast one wait (3 s).
      for (let attempt = 0; pid !== undefined && attempt < PROBE_ATTEMPTS; attempt++) {
        const reading = await probe.heap(pid);
        if (reading) return { pid, ...reading };
      }
      throw new Error(
        `serverless-offline (pid ${pid ?? 'none'}) did not answer the heap probe ${PROBE_ATTEMPTS} times`,
      );
    },
    async stop() {
      management.destroy();
      ddb.destroy();
      await stack.stop();
    },
  };
}

const PROBE_ATTEMPTS = 5;

/** The name serverless-offline's reading has in the chaos reports' memory column. */
export const OFFLINE_MEMORY_PROCESS = 'serverless-offline (live heap)';

/**
 * serverless-offline's memory for the chaos runs' growth bound: what stays live right after a full
 * GC, the V8 heap in use plus the external memory its objects hold (Buffers, ArrayBuffers).
 *
 * Not its RSS, as the containers are measured: serverless-offline runs in one V8 heap every
 * invocation AWS spreads over separate sandboxes (one execution environment per concurrent
 * invocation: Lambda Developer Guide, "Understanding the Lambda execution environment lifecycle"
 * and "Understanding Lambda function scaling"), and V8 grows that heap with the allocation rate and
 * keeps it committed after a full GC. Measured 2026-12-06 on a 5,000-client storm that the stand-in
 * kept up with (all back in 25 s, every connection held again at the end): RSS after a full GC
 * +113 MiB and +235 MiB in two runs, while the heap in use grew +54 MiB (203.6 to 257.5 MiB), so
 * the RSS bound failed on committed but empty heap. What the live reading still counts: a leak in
 * the emulator or our handlers (objects or buffers), and the work waiting in serverless-offline
 * when it falls behind (in-flight invocations and their queued SDK requests are live objects:
 * docs/DEPLOY.md, "serverless-offline's memory in a storm"). The storm rows still give the RSS.
 */
export async function offlineMemory(apigw: ChaosApigw): Promise<Map<string, { pid: number; bytes: number }>> {
  const { pid, heapUsedBytes, externalBytes } = await apigw.offlineRetained();
  return new Map([[OFFLINE_MEMORY_PROCESS, { pid, bytes: heapUsedBytes + externalBytes }]]);
}
