import { describe, expect, it } from 'vitest';
import { checkLocalStack } from '../../../ecs-socketio/local/stack.js';

describe('checkLocalStack', () => {
  it('accepts the sharded adapter with the worker on', () => {
    expect(checkLocalStack({ worker: true }, { REDIS_ADAPTER: 'sharded' })).toEqual({ warnings: [] });
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
