import { describe, expect, it } from 'vitest';
import { checkLocalStack, startEcsLocal } from '../../../ecs-socketio/local/stack.js';
import { ConfigError } from '../../../shared/contract/index.js';

describe('checkLocalStack', () => {
  it('refuses the sharded adapter with the emitter worker on, and says what to do', () => {
    expect(() => checkLocalStack({ worker: true }, { REDIS_ADAPTER: 'sharded' })).toThrow(ConfigError);
    expect(() => checkLocalStack({}, { REDIS_ADAPTER: 'sharded' })).toThrow(
      /REDIS_ADAPTER=sharded with the worker on[\s\S]*REDIS_ADAPTER=classic[\s\S]*worker: false/,
    );
    expect(checkLocalStack({ worker: false }, { REDIS_ADAPTER: 'sharded' })).toEqual({ warnings: [] });
  });

  it('refuses what the containers themselves would refuse, before any of them starts', () => {
    expect(() => checkLocalStack({ worker: false }, { PING_INTERVAL_MS: '5' })).toThrow(/PING_INTERVAL_MS/);
  });

  it("warns when the heartbeat is not below the load balancer's idle timeout", () => {
    const { warnings } = checkLocalStack({ idleTimeoutMs: 3000 }, { PING_INTERVAL_MS: '6000' });
    expect(warnings).toEqual([expect.stringMatching(/PING_INTERVAL_MS=6000 .*idle timeout \(3000 ms\)/)]);
    expect(checkLocalStack({ idleTimeoutMs: 3000 }, { PING_INTERVAL_MS: '1000' }).warnings).toEqual([]);
  });

  it('warns about long polling across several containers without sticky sessions', () => {
    expect(checkLocalStack({ allowPolling: true, containers: 2 }, {}).warnings).toEqual([
      expect.stringMatching(/sticky: true/),
    ]);
    expect(checkLocalStack({ allowPolling: true, containers: 2, sticky: true }, {}).warnings).toEqual([]);
    expect(checkLocalStack({ allowPolling: true, containers: 1 }, {}).warnings).toEqual([]);
  });
});

describe('startEcsLocal', () => {
  it('refuses REDIS_ADAPTER=sharded with the worker before starting any process', async () => {
    await expect(startEcsLocal({ env: { REDIS_ADAPTER: 'sharded' } })).rejects.toThrow(ConfigError);
  });
});
