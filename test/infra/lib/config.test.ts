import { describe, expect, it } from 'vitest';
import {
  loadConfig,
  MAX_NOTIFY_CONCURRENCY,
  MAX_REPLAY_TTL_SECONDS,
} from '../../../apigw-websocket/src/config.js';
import { loadEcsConfig, MAX_DRAIN_TIMEOUT_MS, MIN_STOP_GRACE_MS } from '../../../ecs-socketio/src/config.js';
import {
  ecsConfigWarnings,
  InfraErrorCode,
  resolveApiGwWebSocketConfig,
  resolveEcsSocketIoConfig,
} from '../../../infra/lib/config.js';
import { ServerErrorCode } from '../../../shared/server/index.js';
import { withCode } from '../../support/errors.js';

describe('resolveEcsSocketIoConfig', () => {
  it('fills every knob with its documented default', () => {
    expect(resolveEcsSocketIoConfig()).toMatchObject({
      maxAzs: 2,
      natGateways: 1,
      cpuArchitecture: 'arm64',
      desiredCount: 2,
      maxCount: 10,
      nofileLimit: 65536,
      containerPort: 3000,
      drainTimeoutMs: 10_000,
      stopGraceMs: 5_000,
      idleTimeoutSeconds: 60,
      healthCheckPath: '/healthz',
      allowPolling: false,
      redisMultiAz: true,
      redisReplicas: 1,
      redisAdapter: 'classic',
      retainData: true,
      logRetentionDays: 30,
    });
  });

  it('accepts the context value as JSON text, as `cdk -c key=value` passes it', () => {
    expect(resolveEcsSocketIoConfig('{"desiredCount":3,"maxCount":6}')).toMatchObject({
      desiredCount: 3,
      maxCount: 6,
    });
  });

  it('rejects an unknown knob, so a typo does not silently deploy the default', () => {
    expect(() => resolveEcsSocketIoConfig({ desiredCuont: 3 })).toThrow(
      withCode(InfraErrorCode.InvalidConfig, 'desiredCuont'),
    );
  });

  it('rejects an ALB idle timeout that would cut sockets between Socket.io pings', () => {
    expect(() => resolveEcsSocketIoConfig({ idleTimeoutSeconds: 20 })).toThrow(
      withCode(InfraErrorCode.InvalidConfig, 'idleTimeoutSeconds', 'pingIntervalMs'),
    );
  });

  it('rejects a drain window ECS cannot honour (Fargate stopTimeout is at most 120 s)', () => {
    expect(() => resolveEcsSocketIoConfig({ drainTimeoutMs: 118_000 })).toThrow(
      withCode(InfraErrorCode.InvalidConfig, 'drainTimeoutMs', 'stopGraceMs', '120000'),
    );
  });

  it('takes a deregistration delay beyond the stopTimeout cap, up to ELB’s 3600 s, and what the container reads', () => {
    expect(resolveEcsSocketIoConfig({ deregistrationDelaySeconds: 300 }).deregistrationDelaySeconds).toBe(
      300,
    );
    expect(resolveEcsSocketIoConfig().deregistrationDelaySeconds).toBeUndefined();
    expect(loadEcsConfig({ DEREGISTRATION_DELAY_MS: String(3600 * 1000) }).DEREGISTRATION_DELAY_MS).toBe(
      3_600_000,
    );
    for (const bad of [3601, -1, 1.5])
      expect(() => resolveEcsSocketIoConfig({ deregistrationDelaySeconds: bad })).toThrow(
        withCode(InfraErrorCode.InvalidConfig, 'deregistrationDelaySeconds'),
      );
  });

  it('takes the drain window’s limits from the container’s parser: what one accepts the other does', () => {
    const longest = { drainTimeoutMs: MAX_DRAIN_TIMEOUT_MS, stopGraceMs: MIN_STOP_GRACE_MS };
    expect(MAX_DRAIN_TIMEOUT_MS + MIN_STOP_GRACE_MS).toBe(120_000);
    expect(resolveEcsSocketIoConfig(longest).drainTimeoutMs).toBe(MAX_DRAIN_TIMEOUT_MS);
    expect(loadEcsConfig({ DRAIN_TIMEOUT_MS: String(MAX_DRAIN_TIMEOUT_MS) }).DRAIN_TIMEOUT_MS).toBe(
      MAX_DRAIN_TIMEOUT_MS,
    );
    expect(() => resolveEcsSocketIoConfig({ ...longest, drainTimeoutMs: MAX_DRAIN_TIMEOUT_MS + 1 })).toThrow(
      withCode(InfraErrorCode.InvalidConfig),
    );
    expect(() => loadEcsConfig({ DRAIN_TIMEOUT_MS: String(MAX_DRAIN_TIMEOUT_MS + 1) })).toThrow(
      withCode(ServerErrorCode.InvalidConfig),
    );
    expect(resolveEcsSocketIoConfig().drainTimeoutMs).toBe(loadEcsConfig({}).DRAIN_TIMEOUT_MS);
  });

  it('takes the heartbeat defaults from the container’s parser', () => {
    const container = loadEcsConfig({});
    expect(resolveEcsSocketIoConfig()).toMatchObject({
      pingIntervalMs: container.PING_INTERVAL_MS,
      pingTimeoutMs: container.PING_TIMEOUT_MS,
    });
  });

  it('rejects Multi-AZ Redis without a replica', () => {
    expect(() => resolveEcsSocketIoConfig({ redisReplicas: 0 })).toThrow(
      withCode(InfraErrorCode.InvalidConfig, 'redisMultiAz', 'redisReplicas'),
    );
  });

  it('rejects context that is not JSON', () => {
    expect(() => resolveEcsSocketIoConfig('{desiredCount:3}')).toThrow(
      withCode(InfraErrorCode.InvalidConfig, 'syncbell:ecs'),
    );
  });

  it('deploys a node-based Redis and refuses ElastiCache Serverless with the reason', () => {
    expect(resolveEcsSocketIoConfig()).toMatchObject({
      redisKind: 'replication-group',
      workerTaskCpu: 256,
      workerTaskMemoryMiB: 512,
    });
    expect(() => resolveEcsSocketIoConfig({ redisKind: 'serverless' })).toThrow(
      withCode(InfraErrorCode.InvalidConfig, 'redisKind', 'PSUBSCRIBE', 'issue 553'),
    );
  });
});

describe('resolveApiGwWebSocketConfig', () => {
  it('defaults match what the handlers emit and serverless.yml deploys', () => {
    expect(resolveApiGwWebSocketConfig()).toMatchObject({
      stageName: 'prod',
      memoryMiB: 512,
      lambdaArchitecture: 'arm64',
      handlerTimeoutSeconds: 10,
      notifyTimeoutSeconds: 90,
      serviceName: 'syncbell-apigw',
      metricsNamespace: 'syncbell',
      goneMetricName: 'PostsGone',
      apiGatewayLogRole: 'none',
    });
  });

  it('takes the replay TTL and notify concurrency from the handlers’ parser: defaults and limits', () => {
    const handlers = loadConfig({});
    expect(resolveApiGwWebSocketConfig()).toMatchObject({
      replayTtlSeconds: handlers.replayTtlSeconds,
      notifyConcurrency: handlers.notifyConcurrency,
    });
    for (const [knob, variable, value] of [
      ['replayTtlSeconds', 'REPLAY_TTL_SECONDS', MAX_REPLAY_TTL_SECONDS],
      ['notifyConcurrency', 'NOTIFY_CONCURRENCY', MAX_NOTIFY_CONCURRENCY],
    ] as const) {
      expect(resolveApiGwWebSocketConfig({ [knob]: value })[knob]).toBe(value);
      expect(() => resolveApiGwWebSocketConfig({ [knob]: value + 1 })).toThrow(
        withCode(InfraErrorCode.InvalidConfig, knob),
      );
      expect(() => loadConfig({ [variable]: String(value + 1) })).toThrow(
        withCode(ServerErrorCode.InvalidConfig, variable),
      );
    }
  });

  it('rejects a request-path timeout above the 29 s API Gateway integration limit', () => {
    expect(() => resolveApiGwWebSocketConfig({ handlerTimeoutSeconds: 30 })).toThrow(
      withCode(InfraErrorCode.InvalidConfig, 'handlerTimeoutSeconds'),
    );
  });
});

describe('ECS knobs that cannot work together', () => {
  it('accepts the sharded adapter with workers: the publisher reaches per-user channels', () => {
    expect(resolveEcsSocketIoConfig({ redisAdapter: 'sharded', workerCount: 2 })).toMatchObject({
      redisAdapter: 'sharded',
      workerCount: 2,
    });
  });

  it('refuses metrics on the port the ALB forwards', () => {
    expect(resolveEcsSocketIoConfig().metricsPort).toBe(9464);
    expect(() => resolveEcsSocketIoConfig({ containerPort: 9464 })).toThrow(
      withCode(InfraErrorCode.InvalidConfig, 'metricsPort', 'containerPort'),
    );
  });

  it('refuses an ALB health check on a path the container answers 404', () => {
    expect(() => resolveEcsSocketIoConfig({ healthCheckPath: '/metrics' })).toThrow(
      withCode(InfraErrorCode.InvalidConfig, "healthCheckPath '/metrics'", "'/healthz'"),
    );
    expect(resolveEcsSocketIoConfig({ healthCheckPath: '/readyz' }).healthCheckPath).toBe('/readyz');
  });

  it('warns (without refusing) about a stop grace too short to close, and a heartbeat near the idle timeout', () => {
    expect(ecsConfigWarnings(resolveEcsSocketIoConfig())).toEqual([]);
    expect(ecsConfigWarnings(resolveEcsSocketIoConfig({ stopGraceMs: 0 }))).toEqual([
      expect.stringMatching(/stopGraceMs 0: ECS sends SIGKILL/),
    ]);
    expect(ecsConfigWarnings(resolveEcsSocketIoConfig({ pingIntervalMs: 50_000 }))).toEqual([
      expect.stringMatching(/pingIntervalMs 50000 .*ALB idle timeout \(60 s\)/),
    ]);
  });
});
