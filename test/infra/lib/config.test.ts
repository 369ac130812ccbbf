import { describe, expect, it } from 'vitest';
import {
  ecsConfigWarnings,
  InfraConfigError,
  resolveApiGwWebSocketConfig,
  resolveEcsSocketIoConfig,
} from '../../../infra/lib/config.js';
import { loadEcsConfig, MAX_DRAIN_TIMEOUT_MS, MIN_STOP_GRACE_MS } from '../../../ecs-socketio/src/config.js';
import { ConfigError } from '../../../shared/contract/index.js';

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
    expect(() => resolveEcsSocketIoConfig({ desiredCuont: 3 })).toThrow(InfraConfigError);
  });

  it('rejects an ALB idle timeout that would cut sockets between Socket.io pings', () => {
    expect(() => resolveEcsSocketIoConfig({ idleTimeoutSeconds: 20 })).toThrow(/pingIntervalMs/);
  });

  it('rejects a drain window ECS cannot honour (Fargate stopTimeout is at most 120 s)', () => {
    expect(() => resolveEcsSocketIoConfig({ drainTimeoutMs: 118_000 })).toThrow(/120000/);
  });

  it('takes the drain window’s limits from the container’s parser: what one accepts the other does', () => {
    const longest = { drainTimeoutMs: MAX_DRAIN_TIMEOUT_MS, stopGraceMs: MIN_STOP_GRACE_MS };
    expect(MAX_DRAIN_TIMEOUT_MS + MIN_STOP_GRACE_MS).toBe(120_000);
    expect(resolveEcsSocketIoConfig(longest).drainTimeoutMs).toBe(MAX_DRAIN_TIMEOUT_MS);
    expect(loadEcsConfig({ DRAIN_TIMEOUT_MS: String(MAX_DRAIN_TIMEOUT_MS) }).DRAIN_TIMEOUT_MS).toBe(
      MAX_DRAIN_TIMEOUT_MS,
    );
    expect(() => resolveEcsSocketIoConfig({ ...longest, drainTimeoutMs: MAX_DRAIN_TIMEOUT_MS + 1 })).toThrow(
      InfraConfigError,
    );
    expect(() => loadEcsConfig({ DRAIN_TIMEOUT_MS: String(MAX_DRAIN_TIMEOUT_MS + 1) })).toThrow(ConfigError);
    expect(resolveEcsSocketIoConfig().drainTimeoutMs).toBe(loadEcsConfig({}).DRAIN_TIMEOUT_MS);
  });

  it('rejects Multi-AZ Redis without a replica', () => {
    expect(() => resolveEcsSocketIoConfig({ redisReplicas: 0 })).toThrow(/redisReplicas/);
  });

  it('rejects context that is not JSON', () => {
    expect(() => resolveEcsSocketIoConfig('{desiredCount:3}')).toThrow(/not JSON/);
  });

  it('deploys a node-based Redis and refuses ElastiCache Serverless with the reason', () => {
    expect(resolveEcsSocketIoConfig()).toMatchObject({
      redisKind: 'replication-group',
      workerTaskCpu: 256,
      workerTaskMemoryMiB: 512,
    });
    expect(() => resolveEcsSocketIoConfig({ redisKind: 'serverless' })).toThrow(InfraConfigError);
    expect(() => resolveEcsSocketIoConfig({ redisKind: 'serverless' })).toThrow(
      /refuses PSUBSCRIBE.*issue 553/,
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

  it('rejects a request-path timeout above the 29 s API Gateway integration limit', () => {
    expect(() => resolveApiGwWebSocketConfig({ handlerTimeoutSeconds: 30 })).toThrow(InfraConfigError);
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
      /metricsPort 9464 is containerPort/,
    );
  });

  it('refuses an ALB health check on a path the container answers 404', () => {
    expect(() => resolveEcsSocketIoConfig({ healthCheckPath: '/metrics' })).toThrow(
      /healthCheckPath '\/metrics'[\s\S]*Use '\/healthz'/,
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
