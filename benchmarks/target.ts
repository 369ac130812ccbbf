import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { PublishInput, PublishReceipt } from '../shared/server/index.js';
import type { Contender, RunningContender } from './contenders/contender.js';

/** `--target`: a deployed stack, reached only as its clients and its backend would reach it. */
export interface TargetOptions {
  /**
   * `https://…` (or `http://`): the socket.io variant's load balancer. `wss://…` (or `ws://`): the
   * API Gateway variant's WebSocket stage URL, e.g. `wss://{api-id}.execute-api.{region}.amazonaws.com/prod`.
   */
  url: string;
  /**
   * The stack's `POST /v1/publish`. API Gateway: required, `https://{http-api-id}.execute-api.{region}.amazonaws.com/v1/publish`.
   * @default socket.io: `${url}/v1/publish` (the containers serve it behind the load balancer)
   */
  publishUrl?: string;
  /**
   * Sent in `x-api-key`: one of the containers' `PUBLISH_API_KEYS` (socket.io, required there), or
   * API Gateway's key instead of SigV4-signing. @default undefined (SigV4; socket.io refuses)
   */
  publishApiKey?: string;
  /** @default the region in `publishUrl`'s host, else AWS_REGION */
  region?: string;
  /** @default the AWS SDK's default credential chain (env, profile, SSO, instance role) */
  credentials?: ConstructorParameters<typeof SignatureV4>[0]['credentials'];
}

/**
 * What the bench runs against a deployed API Gateway stack, whatever the profile asks: it is a real
 * bill and it shares the account's quotas with real users.
 */
export const APIGW_TARGET_LIMITS = {
  /**
   * Fan-out is one publish to all of them: the publish Lambda (10 s timeout) posts to each through
   * `@connections`, NOTIFY_CONCURRENCY (10) at a time; 1,000 posts leave it room.
   */
  connections: 1_000,
  ratePerSecond: 100,
  /** Well under the 500 new connections/s per account and Region (adjustable) real users also need. */
  rampPerSecond: 100,
  reason:
    'a deployed API Gateway stack is billed and shares the account quotas (500 new connections/s per account and Region); a fan-out of 1,000 fits the publish Lambda’s 10 s',
};
/** Each keep-alive is a billed message and a `$default` invocation: no faster than this against a deployed stack. */
export const APIGW_TARGET_MIN_HEARTBEAT_MS = 30_000;

/** `https://{id}.execute-api.{region}.amazonaws.com/...` names its region. */
export function regionOfExecuteApiUrl(url: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(url).hostname)?.[1];
}

export interface RoutePublisher {
  publish(input: PublishInput): Promise<PublishReceipt>;
}

/**
 * A client of either variant's `POST /v1/publish`: the publish API key in `x-api-key` when given,
 * else the request SigV4-signed for `execute-api` (API Gateway's `AWS_IAM` authorizer). Signed
 * with the AWS SDK's own signer, never by hand.
 */
export function createRoutePublisher(
  options: Required<Pick<TargetOptions, 'publishUrl'>> & Omit<TargetOptions, 'url' | 'publishUrl'>,
): RoutePublisher {
  const url = new URL(options.publishUrl);
  const region = options.region ?? regionOfExecuteApiUrl(options.publishUrl) ?? process.env.AWS_REGION;
  const signer =
    options.publishApiKey === undefined
      ? new SignatureV4({
          service: 'execute-api',
          region:
            region ??
            (() => {
              throw new Error(
                `cannot tell the region of ${options.publishUrl}: set AWS_REGION (or give an execute-api URL)`,
              );
            })(),
          credentials: options.credentials ?? defaultProvider(),
          sha256: Sha256,
        })
      : undefined;
  return {
    async publish(input) {
      const body = JSON.stringify(input);
      let headers: Record<string, string> = { 'content-type': 'application/json' };
      if (signer) {
        const signed = await signer.sign({
          method: 'POST',
          protocol: url.protocol,
          hostname: url.hostname,
          ...(url.port ? { port: Number(url.port) } : {}),
          path: url.pathname,
          headers: { ...headers, host: url.host },
          body,
        });
        // fetch sets Host itself (to the same value, which the signature covers).
        const { host: _host, ...rest } = signed.headers;
        headers = rest;
      } else headers['x-api-key'] = options.publishApiKey as string;
      const response = await fetch(url, { method: 'POST', headers, body });
      const text = await response.text();
      if (response.status !== 200)
        throw new Error(`publish route answered ${response.status}: ${text.slice(0, 200)}`);
      return JSON.parse(text) as PublishReceipt;
    },
  };
}

/**
 * A deployed stack as the bench drives it: clients on `url`, publishes through the stack's own
 * `POST /v1/publish` (as a backend in another language would), which answers the id it stamped.
 */
function deployedTarget(
  clientKind: 'socketio' | 'apigw',
  url: string,
  options: TargetOptions & { publishUrl: string },
): RunningContender {
  const route = createRoutePublisher(options);
  // The route is idempotent by jobId and a deployed stack keeps its claims for a day: the bench's
  // job ids repeat from run to run, so each run tags its own (else a second run notifies no one).
  const runTag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return {
    clientKind,
    urls: [url],
    directUrl: url,
    serverPids: () => [],
    serverConnections: async () => undefined,
    serverClosedTotal: async () => undefined,
    async publish(notification) {
      // The route stamps its own envelope (id, createdAtMs); data.sentAtUs rides along for latency.
      const receipt = await route.publish({
        userId: notification.userId,
        type: notification.type,
        jobId: `${notification.jobId}-${runTag}`,
        ...(notification.data === undefined ? {} : { data: notification.data }),
      });
      return receipt.id;
    },
    async stop() {},
  };
}

/** The one contender of a `--target` run. */
export function targetContender(options: TargetOptions): Contender {
  const apigw = /^wss?:\/\//.test(options.url);
  if (!apigw && !/^https?:\/\//.test(options.url))
    throw new Error(
      `--target ${options.url}: give the load balancer's http(s):// URL or the API Gateway stage's wss:// URL`,
    );
  if (apigw && options.publishUrl === undefined)
    throw new Error('--target wss://… (API Gateway) needs --publish-url, the stack’s POST /v1/publish URL');
  if (!apigw && options.publishApiKey === undefined)
    throw new Error(
      '--target https://… (socket.io) publishes through the containers’ POST /v1/publish: export SYNCBELL_PUBLISH_API_KEY (one of their PUBLISH_API_KEYS)',
    );
  const publishUrl = options.publishUrl ?? new URL('/v1/publish', options.url).href;
  return {
    id: 'target',
    label: `Deployed stack at ${options.url}`,
    emulated: false,
    baseline: false,
    resume: true,
    multiContainer: false,
    ...(apigw
      ? { minHeartbeatIntervalMs: APIGW_TARGET_MIN_HEARTBEAT_MS, scaleLimits: APIGW_TARGET_LIMITS }
      : {}),
    async start() {
      // The load generator's apigw clients take an http(s) URL and swap the scheme (as the emulated contender's).
      return apigw
        ? deployedTarget('apigw', options.url.replace(/^ws/, 'http'), { ...options, publishUrl })
        : deployedTarget('socketio', options.url, { ...options, publishUrl });
    },
  };
}
