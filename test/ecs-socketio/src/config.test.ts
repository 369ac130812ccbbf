import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadEcsConfig, loadWorkerConfig, SOCKETIO_DEFAULTS } from '../../../ecs-socketio/src/config.js';
import { MAX_SYNC_JOB_DURATION_MS } from '../../../shared/contract/index.js';
import { withCode } from '../../support/errors.js';
import { ServerErrorCode } from '../../../shared/server/index.js';

describe('ECS configuration', () => {
  it('fills every default', () => {
    expect(loadEcsConfig({})).toMatchObject({
      PORT: 3000,
      REDIS_ADAPTER: 'classic',
      ALLOW_POLLING: false,
      PING_INTERVAL_MS: 25_000,
      PING_TIMEOUT_MS: 20_000,
      METRICS_PORT: 9464,
      WORKER_PUBLISH: true,
    });
  });

  it('serves metrics on their own port, or not at all with METRICS_PORT=off', () => {
    expect(loadEcsConfig({ METRICS_PORT: '9100' }).METRICS_PORT).toBe(9100);
    expect(loadEcsConfig({ METRICS_PORT: 'off' }).METRICS_PORT).toBeUndefined();
    expect(() => loadEcsConfig({ METRICS_PORT: 'on' })).toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'METRICS_PORT'),
    );
  });

  it('accepts heartbeats down to 100 ms (the bench smoke) and refuses shorter ones', () => {
    expect(loadEcsConfig({ PING_INTERVAL_MS: '100', PING_TIMEOUT_MS: '100' })).toMatchObject({
      PING_INTERVAL_MS: 100,
      PING_TIMEOUT_MS: 100,
    });
    expect(() => loadEcsConfig({ PING_INTERVAL_MS: '99' })).toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'PING_INTERVAL_MS'),
    );
    expect(() => loadEcsConfig({ PING_TIMEOUT_MS: '99' })).toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'PING_TIMEOUT_MS'),
    );
  });

  it('lets MAX_JOB_DURATION_MS lower the contract’s job cap, never raise it past what API Gateway honours', () => {
    expect(loadEcsConfig({}).MAX_JOB_DURATION_MS).toBe(MAX_SYNC_JOB_DURATION_MS);
    expect(loadEcsConfig({ MAX_JOB_DURATION_MS: '5000' }).MAX_JOB_DURATION_MS).toBe(5000);
    expect(() => loadEcsConfig({ MAX_JOB_DURATION_MS: String(MAX_SYNC_JOB_DURATION_MS + 1) })).toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'MAX_JOB_DURATION_MS'),
    );
  });

  it('reads the pacing knobs with their defaults, 0 turning each off, and names a bad one', () => {
    expect(loadEcsConfig({})).toMatchObject({
      MAX_CONNECTS_PER_SECOND: SOCKETIO_DEFAULTS.maxConnectsPerSecond,
      MAX_HANDSHAKES_IN_FLIGHT: SOCKETIO_DEFAULTS.maxHandshakesInFlight,
      MAX_EVENT_LOOP_LAG_MS: SOCKETIO_DEFAULTS.maxEventLoopLagMs,
    });
    expect(
      loadEcsConfig({
        MAX_CONNECTS_PER_SECOND: '0',
        MAX_HANDSHAKES_IN_FLIGHT: '0',
        MAX_EVENT_LOOP_LAG_MS: '0',
      }),
    ).toMatchObject({ MAX_CONNECTS_PER_SECOND: 0, MAX_HANDSHAKES_IN_FLIGHT: 0, MAX_EVENT_LOOP_LAG_MS: 0 });
    expect(loadEcsConfig({ MAX_HANDSHAKES_IN_FLIGHT: '64', MAX_EVENT_LOOP_LAG_MS: '150' })).toMatchObject({
      MAX_HANDSHAKES_IN_FLIGHT: 64,
      MAX_EVENT_LOOP_LAG_MS: 150,
    });
    expect(() =>
      loadEcsConfig({
        MAX_HANDSHAKES_IN_FLIGHT: '-1',
        MAX_EVENT_LOOP_LAG_MS: '0.5',
        MAX_CONNECTS_PER_SECOND: 'lots',
      }),
    ).toThrow(
      withCode(
        ServerErrorCode.InvalidConfig,
        'MAX_HANDSHAKES_IN_FLIGHT',
        'MAX_EVENT_LOOP_LAG_MS',
        'MAX_CONNECTS_PER_SECOND',
      ),
    );
  });

  it('names each bad variable in one error', () => {
    expect(() => loadEcsConfig({ PORT: 'eighty', REDIS_URL: 'http://x', REDIS_ADAPTER: 'kafka' })).toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'PORT', 'REDIS_URL', 'REDIS_ADAPTER'),
    );
  });

  it('refuses metrics on the public port, which the load balancer forwards to anyone', () => {
    expect(() => loadEcsConfig({ PORT: '3000', METRICS_PORT: '3000' })).toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'METRICS_PORT=3000', 'PORT', 'METRICS_PORT=off'),
    );
    // 0 is "any free port" for both: they never end up the same.
    expect(loadEcsConfig({ PORT: '0', METRICS_PORT: '0' })).toMatchObject({ PORT: 0, METRICS_PORT: 0 });
  });

  it('runs the sharded adapter with a worker: its publisher reaches per-user channels', () => {
    expect(loadEcsConfig({ REDIS_ADAPTER: 'sharded' })).toMatchObject({
      REDIS_ADAPTER: 'sharded',
      WORKER_PUBLISH: true,
    });
    expect(loadWorkerConfig({ REDIS_ADAPTER: 'sharded' }).REDIS_ADAPTER).toBe('sharded');
  });

  it('refuses to run the worker without Redis', () => {
    expect(() => loadWorkerConfig({ REDIS_ADAPTER: 'memory' })).toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'REDIS_ADAPTER=memory'),
    );
    expect(loadWorkerConfig({}).REDIS_ADAPTER).toBe('classic');
  });

  it('runs on ioredis unless told node-redis, with either adapter', () => {
    expect(loadEcsConfig({}).REDIS_CLIENT).toBe('ioredis');
    expect(loadEcsConfig({ REDIS_CLIENT: 'node-redis' }).REDIS_CLIENT).toBe('node-redis');
    expect(() => loadEcsConfig({ REDIS_CLIENT: 'redis' })).toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'REDIS_CLIENT'),
    );
    // Accepted since createRedis works around node-redis's stalled re-subscription
    // (test/ecs-socketio/sharded-resubscribe.test.ts).
    expect(loadEcsConfig({ REDIS_CLIENT: 'node-redis', REDIS_ADAPTER: 'sharded' })).toMatchObject({
      REDIS_CLIENT: 'node-redis',
      REDIS_ADAPTER: 'sharded',
    });
  });

  it('refuses to start in production without JWT_SECRET, with a message that says what to do', () => {
    const entry = fileURLToPath(new URL('../../../ecs-socketio/container/main.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', entry], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: '0' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(ServerErrorCode.InvalidConfig);
    expect(run.stderr).toContain('JWT_SECRET');
  });
});
