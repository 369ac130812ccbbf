import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadEcsConfig } from '../../ecs-socketio/src/config.js';
import { ConfigError } from '../../shared/contract/index.js';

describe('ECS configuration', () => {
  it('fills every default', () => {
    expect(loadEcsConfig({})).toMatchObject({
      PORT: 3000,
      REDIS_ADAPTER: 'classic',
      ALLOW_POLLING: false,
      PING_INTERVAL_MS: 25_000,
      PING_TIMEOUT_MS: 20_000,
    });
  });

  it('accepts heartbeats down to 100 ms (the bench smoke) and refuses shorter ones', () => {
    expect(loadEcsConfig({ PING_INTERVAL_MS: '100', PING_TIMEOUT_MS: '100' })).toMatchObject({
      PING_INTERVAL_MS: 100,
      PING_TIMEOUT_MS: 100,
    });
    expect(() => loadEcsConfig({ PING_INTERVAL_MS: '99' })).toThrow(/PING_INTERVAL_MS/);
    expect(() => loadEcsConfig({ PING_TIMEOUT_MS: '99' })).toThrow(/PING_TIMEOUT_MS/);
  });

  it('names each bad variable in one error', () => {
    const error = (() => {
      try {
        loadEcsConfig({ PORT: 'eighty', REDIS_URL: 'http://x', REDIS_ADAPTER: 'kafka' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as Error).message)).toMatch(/PORT[\s\S]*REDIS_URL[\s\S]*REDIS_ADAPTER/);
  });

  it('runs on ioredis unless told node-redis, and refuses node-redis with the sharded adapter', () => {
    expect(loadEcsConfig({}).REDIS_CLIENT).toBe('ioredis');
    expect(loadEcsConfig({ REDIS_CLIENT: 'node-redis' }).REDIS_CLIENT).toBe('node-redis');
    expect(() => loadEcsConfig({ REDIS_CLIENT: 'redis' })).toThrow(/REDIS_CLIENT/);
    expect(() => loadEcsConfig({ REDIS_CLIENT: 'node-redis', REDIS_ADAPTER: 'sharded' })).toThrow(
      /REDIS_CLIENT: node-redis cannot run REDIS_ADAPTER=sharded/,
    );
  });

  it('refuses to start in production without JWT_SECRET, with a message that says what to do', () => {
    const entry = fileURLToPath(new URL('../../ecs-socketio/src/main.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', entry], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: '0' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/JWT_SECRET is not set/);
  });
});
