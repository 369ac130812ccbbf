import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { WebSocket } from 'ws';
import { resolveJwtSecret, signToken } from '@syncbell/server';
import { ConfigError } from '@syncbell/server';
import { CONNECTION_MAX_AGE_SECONDS, IDLE_TIMEOUT_SECONDS } from '../src/config.js';
import { freePorts, retryOnPortClash, stopChild } from '../../dev-tools/index.js';
import { startDynalite } from './dynalite-server.js';
import { type QuotaGate, startQuotaGate } from './quota-gate.js';
import { type ApigwQuotas, AWS_QUOTAS } from './quotas.js';
import { ensureTables, type TableNames } from './tables.js';

export interface ApigwLocalOptions {
  /** The WebSocket API's port (the quota gate; serverless-offline listens on a private one behind it). @default a free port */
  wsPort?: number;
  /** @default a free port */
  httpPort?: number;
  /** serverless-offline's Lambda API (the jobs handler invokes notify through it). @default a free port */
  lambdaPort?: number;
  /** Use this DynamoDB endpoint instead of an in-process dynalite. @default process.env.DYNAMODB_ENDPOINT */
  dynamodbEndpoint?: string;
  /** Emulated API Gateway idle timeout. @default 600 (AWS: 10 minutes, hard) */
  idleTimeoutSeconds?: number;
  /** Emulated API Gateway connection cap. @default 7200 (AWS: 2 hours, hard) */
  hardTimeoutSeconds?: number;
  /** @default process.env.JWT_SECRET, else the development secret */
  jwtSecret?: string;
  /**
   * The key `POST /v1/publish` accepts in `x-api-key` (serverless-offline cannot verify the SigV4
   * signature that authenticates the route on AWS). @default process.env.PUBLISH_API_KEY, else a random key
   */
  publishApiKey?: string;
  /**
   * API Gateway's account quotas, enforced by the gate in front of serverless-offline (new
   * connections per second, the account request throttle shared with `@connections`; see
   * quotas.ts). `quotasForFleet(n)` scales AWS's figures to a local fleet of n clients.
   * @default AWS_QUOTAS (AWS's defaults, unscaled)
   */
  quotas?: ApigwQuotas;
  /**
   * Extra environment for the serverless-offline process (the chaos runs give it a heap probe's
   * `NODE_OPTIONS`). Set after the stack's own variables, so it can override them. A harness knob,
   * not an emulated AWS behaviour: nothing on AWS corresponds to it. @default {}
   */
  offlineEnv?: Record<string, string>;
  /** Progress lines and serverless-offline's output. @default no-op */
  log?: (line: string) => void;
}

export interface ApigwLocal {
  /** `ws://127.0.0.1:{wsPort}`: connect with `?token=`. */
  wsUrl: string;
  /** `http://127.0.0.1:{httpPort}`: `POST {httpUrl}/jobs/sync`. */
  httpUrl: string;
  /** `{httpUrl}/v1/publish`: the publish route (send `publishApiKey` in `x-api-key`). */
  publishUrl: string;
  /** The key the publish route accepts here. */
  publishApiKey: string;
  /** The emulated `@connections` endpoint (through the quota gate, as every client is). */
  managementEndpoint: string;
  /** The gate enforcing API Gateway's account quotas: its counts, its quotas, a network drop. */
  gate: QuotaGate;
  dynamodbEndpoint: string;
  /** Table names the handlers use. */
  tables: TableNames;
  /**
   * Emulated cold starts: for each function invoked so far, the duration serverless-offline
   * reported for its first invocation (importing the bundle, building the SDK clients, serving
   * the request), in ms. Every later invocation runs in the same warm module. The start-up warm-up
   * invokes authorizer, connect, default, jobs, publish and (when its socket closes) disconnect; notify's
   * first invocation comes with the first job.
   */
  coldStartsMs(): Record<string, number>;
  stop(): Promise<void>;
}

const SERVICE_DIR = fileURLToPath(new URL('..', import.meta.url));
const OSLS_BIN = fileURLToPath(new URL('../../node_modules/serverless/bin/serverless.js', import.meta.url));
/**
 * serverless-esbuild bundles the six handlers first, then each loads on first use (its cold start).
 * The bundling alone took 58 s on the shared 2-core machine at a load average of 20 (2026-12-06).
 */
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 5_000;

/** serverless-offline's line after every invocation: `(λ: connect) RequestId: ...  Duration: 12.34 ms ...`. */
const INVOCATION_LINE = /\(λ: ([\w-]+)\) RequestId: \S+\s+Duration: ([\d.]+) ms/;

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { method: 'GET', signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs every WebSocket route, the jobs route and the publish route once (unauthenticated: a 401
 * that loads the handler and publishes nothing), so the first real client does not pay
 * for each function's cold start (importing its bundle, building its SDK clients; hundreds of ms
 * each on a busy 2-core machine). Their durations are `coldStartsMs()`.
 */
async function warmUp(wsUrl: string, httpUrl: string, jwtSecret: string, timeoutMs: number): Promise<void> {
  const { key } = resolveJwtSecret({ JWT_SECRET: jwtSecret, NODE_ENV: 'development' });
  const token = await signToken({ userId: 'syncbell-warm-up', key, expiresInSeconds: 60 });
  const http = ['/jobs/sync', '/v1/publish'].map((path) =>
    fetch(`${httpUrl}${path}`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(timeoutMs) }),
  );
  await new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`warm-up got no replay within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.on('open', () =>
      ws.send(JSON.stringify({ action: 'resume', after: '0'.repeat(26), requestId: 'warm-up' })),
    );
    ws.on('message', () => {
      clearTimeout(timer);
      ws.close();
      resolve();
    });
    ws.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  for (const answer of http) await (await answer).arrayBuffer();
}

/**
 * The API Gateway variant on this machine: dynalite in-process (or any DynamoDB endpoint),
 * tables created, and serverless-offline (under `osls`, as a child process group) serving
 * the WebSocket API, the jobs HTTP route, `@connections` and the Lambda invoke API.
 */
export async function startApigwLocal(options: ApigwLocalOptions = {}): Promise<ApigwLocal> {
  // The emulator may shrink API Gateway's limits (tests and chaos do) but never raise them: a
  // client that stays up only on a longer idle timeout would be cut in AWS.
  const limits = [
    ['idleTimeoutSeconds', options.idleTimeoutSeconds, IDLE_TIMEOUT_SECONDS],
    ['hardTimeoutSeconds', options.hardTimeoutSeconds, CONNECTION_MAX_AGE_SECONDS],
  ] as const;
  for (const [knob, value, awsLimit] of limits) {
    if (value !== undefined && value > awsLimit)
      throw new ConfigError(
        `${knob} ${value} is above API Gateway's own limit (${awsLimit} s, hard): AWS would close these connections first. Use at most ${awsLimit}.`,
      );
  }
  const log = options.log ?? (() => {});
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    let dynamodbEndpoint = options.dynamodbEndpoint ?? process.env.DYNAMODB_ENDPOINT;
    if (!dynamodbEndpoint) {
      const local = await startDynalite();
      cleanups.push(local.close);
      dynamodbEndpoint = local.endpoint;
      log(`dynalite listening at ${dynamodbEndpoint}`);
    }
    const tables: TableNames = {
      connectionsTable: process.env.CONNECTIONS_TABLE ?? 'syncbell-connections-local',
      notificationsTable: process.env.NOTIFICATIONS_TABLE ?? 'syncbell-notifications-local',
      connectionsByUserIndex: process.env.CONNECTIONS_BY_USER_INDEX ?? 'byUser',
    };
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const ddb = new DynamoDBClient({ endpoint: dynamodbEndpoint, region: 'us-east-1', credentials });
    try {
      await ensureTables(ddb, tables);
    } finally {
      ddb.destroy();
    }

    const jwtSecret = options.jwtSecret ?? process.env.JWT_SECRET ?? '';
    const publishApiKey =
      options.publishApiKey ?? process.env.PUBLISH_API_KEY ?? randomBytes(32).toString('base64url');
    // Each start of serverless-offline on fresh ports, the gate in front of it and the build folder
    // with it: the attempt's own cleanups run if it fails.
    const startOnce = async () => {
      // Distinct ports in one call: asked for one after another, two came back the same and
      // serverless-offline failed to start (its Lambda and HTTP servers on 35331, seen in CI).
      const given = [options.httpPort, options.lambdaPort].filter((port) => port !== undefined);
      const [offlineWsPort, freeHttpPort, freeLambdaPort, albPort] = (await freePorts(4, given)) as [
        number,
        number,
        number,
        number,
      ];
      const httpPort = options.httpPort ?? freeHttpPort;
      const lambdaPort = options.lambdaPort ?? freeLambdaPort;
      const host = '127.0.0.1';
      // Clients and `@connections` callers (the handlers included) reach serverless-offline's
      // WebSocket port only through the gate, as every request reaches API Gateway under its quotas.
      const gate = await startQuotaGate({
        target: `http://${host}:${offlineWsPort}`,
        quotas: options.quotas ?? AWS_QUOTAS,
        host,
        port: options.wsPort ?? 0,
      });
      cleanups.push(gate.close);
      const managementEndpoint = gate.httpUrl;
      const args = [
        // The bundles are minified, with source maps (as Lambda runs them: NODE_OPTIONS in infra/).
        '--enable-source-maps',
        OSLS_BIN,
        'offline',
        'start',
        '--host',
        host,
        '--httpPort',
        String(httpPort),
        '--websocketPort',
        String(offlineWsPort),
        '--lambdaPort',
        String(lambdaPort),
        '--albPort',
        String(albPort),
        '--webSocketIdleTimeout',
        String(options.idleTimeoutSeconds ?? 600),
        '--webSocketHardTimeout',
        String(options.hardTimeoutSeconds ?? 7200),
        '--noPrependStageInUrl',
        // One process for all handlers, each function's bundle imported once (Node caches ES
        // modules) and warm from then on, as one Lambda instance per function would be. Worker
        // threads would start a thread per concurrent instance, each paying the cold start again.
        '--useInProcess',
      ];
      // serverless-esbuild bundles the handlers from source at every start (an edit is picked up by
      // the next stack), each stack into its own folder: parallel stacks never share a build.
      const buildDir = await mkdtemp(join(tmpdir(), 'syncbell-apigw-build-'));
      cleanups.push(() => rm(buildDir, { recursive: true, force: true }));
      const child = spawn(process.execPath, args, {
        cwd: SERVICE_DIR,
        // Its own process group, so stop() can kill osls and everything it started at once.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          ...tables,
          CONNECTIONS_TABLE: tables.connectionsTable,
          NOTIFICATIONS_TABLE: tables.notificationsTable,
          CONNECTIONS_BY_USER_INDEX: tables.connectionsByUserIndex,
          DYNAMODB_ENDPOINT: dynamodbEndpoint,
          WEBSOCKET_MANAGEMENT_ENDPOINT: managementEndpoint,
          LAMBDA_ENDPOINT: `http://${host}:${lambdaPort}`,
          JWT_SECRET: jwtSecret,
          PUBLISH_API_KEYS: publishApiKey,
          // The publish route without its aws_iam authorizer, which serverless-offline cannot load
          // (serverless.yml, custom.publishRoute): the key above protects it instead.
          SYNCBELL_PUBLISH_AUTH: 'offline',
          SYNCBELL_LAMBDA_NODE_ENV: 'development',
          // Relative: serverless-esbuild joins it to the service folder.
          SYNCBELL_ESBUILD_WORK_FOLDER: relative(SERVICE_DIR, buildDir),
          // Offline only, and never in serverless.yml (Lambda rejects these reserved names): the
          // in-process handlers sign requests to dynalite and @connections with any credentials.
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          POWERTOOLS_METRICS_DISABLED: 'true',
          POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
          SLS_DEPRECATION_DISABLE: '*',
          SLS_INTERACTIVE_SETUP_ENABLE: '0',
          ...options.offlineEnv,
        },
      });
      const output: string[] = [];
      const coldStartsMs: Record<string, number> = {};
      // Whole lines (a chunk may end mid-line, and the invocation lines are parsed).
      const onLine = (line: string) => {
        if (line.trim() === '') return;
        const invocation = INVOCATION_LINE.exec(line);
        if (invocation?.[1] !== undefined && !(invocation[1] in coldStartsMs))
          coldStartsMs[invocation[1]] = Number(invocation[2]);
        output.push(line);
        if (output.length > 200) output.shift();
        log(`[offline] ${line}`);
      };
      for (const stream of [child.stdout, child.stderr])
        if (stream)
          createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', onLine);
      const exited = once(child, 'exit');
      // A crashed parent must not leave serverless-offline behind holding the ports.
      // The whole process group (osls, serverless-offline and its worker threads); stopChild sends
      // the signal synchronously, as an 'exit' hook needs.
      const onParentExit = () => void stopChild(child, 'SIGKILL', undefined, { group: true });
      process.on('exit', onParentExit);
      cleanups.push(async () => {
        process.off('exit', onParentExit);
        await stopChild(child, 'SIGTERM', STOP_TIMEOUT_MS, { group: true });
      });

      const httpUrl = `http://${host}:${httpPort}`;
      const deadline = Date.now() + START_TIMEOUT_MS;
      let early = false;
      void exited.then(() => {
        early = true;
      });
      // serverless-offline's own WebSocket port, not the gate in front of it: the gate answers 502
      // while its upstream is not listening yet, and a client it let through then would be cut.
      const offlineWsUrl = `http://${host}:${offlineWsPort}`;
      while (!(await answers(httpUrl)) || !(await answers(offlineWsUrl))) {
        if (early) throw new Error(`serverless-offline exited during start-up:\n${output.join('\n')}`);
        if (Date.now() > deadline)
          throw new Error(
            `serverless-offline did not answer within ${START_TIMEOUT_MS} ms:\n${output.join('\n')}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await warmUp(gate.wsUrl, httpUrl, jwtSecret, START_TIMEOUT_MS);
      return { gate, httpUrl, managementEndpoint, coldStartsMs };
    };
    // A port serverless-offline was given may be taken before it binds it; it then exits with
    // EADDRINUSE, and starts again on fresh ports once the failed attempt is cleaned up.
    const mark = cleanups.length;
    const { gate, httpUrl, managementEndpoint, coldStartsMs } = await retryOnPortClash(
      startOnce,
      async (taken) => {
        for (const cleanup of cleanups.splice(mark).reverse()) await cleanup();
        log(`serverless-offline found port ${taken} taken by another process; starting again on fresh ports`);
      },
      3,
    );
    log(`apigw-websocket (serverless-offline behind the quota gate) ${gate.wsUrl} http ${httpUrl}`);
    return {
      wsUrl: gate.wsUrl,
      httpUrl,
      publishUrl: `${httpUrl}/v1/publish`,
      publishApiKey,
      managementEndpoint,
      gate,
      dynamodbEndpoint,
      tables,
      coldStartsMs: () => ({ ...coldStartsMs }),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
