import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPACITY } from '../../cost/capacity.js';
import { connectionsPerTask, DEFAULT_ECS_SIZING, ecpusFor, lcuFor } from '../../cost/ecs.js';

describe('ALB capacity units', () => {
  it('bill the highest of the four dimensions', () => {
    const rate = fc.double({ min: 0, max: 1e7, noNaN: true });
    fc.assert(
      fc.property(rate, rate, rate, rate, (newPerSecond, active, gbPerHour, rulesPerSecond) => {
        const { lcu, dimension } = lcuFor({
          newConnectionsPerSecond: newPerSecond,
          activeConnectionsPerMinute: active,
          processedGbPerHour: gbPerHour,
          ruleEvaluationsPerSecond: rulesPerSecond,
        });
        // One LCU = 25 new connections/s, 3,000 active connections, 1 GB/h, 1,000 rule evaluations/s.
        const perDimension = {
          newConnectionsPerSecond: newPerSecond / 25,
          activeConnectionsPerMinute: active / 3000,
          processedGbPerHour: gbPerHour,
          ruleEvaluationsPerSecond: rulesPerSecond / 1000,
        };
        expect(lcu).toBe(Math.max(...Object.values(perDimension)));
        expect(perDimension[dimension]).toBe(lcu);
      }),
    );
  });

  it('name the dimension that wins: 30,000 active connections beat 50 new connections/s', () => {
    // active 30,000 / 3,000 = 10 LCU; new 50 / 25 = 2; bytes 3 GB/h = 3; rules 0.
    const result = lcuFor({
      newConnectionsPerSecond: 50,
      activeConnectionsPerMinute: 30_000,
      processedGbPerHour: 3,
      ruleEvaluationsPerSecond: 0,
    });
    expect(result).toEqual({ lcu: 10, dimension: 'activeConnectionsPerMinute' });
  });
});

describe('connections per task', () => {
  it('is the measured figure while memory suffices', () => {
    expect(connectionsPerTask(DEFAULT_CAPACITY['ecs-socketio'], DEFAULT_ECS_SIZING)).toBe(19_500);
  });

  it('is capped by task memory when connections are heavy', () => {
    // (2 GiB x 0.75 - 150 MiB) / 100,000 B = (1,610,612,736 - 157,286,400) / 100,000 = 14,533
    const heavy = { ...DEFAULT_CAPACITY['ecs-socketio'], rssBytesPerConnection: 100_000 };
    expect(connectionsPerTask(heavy, DEFAULT_ECS_SIZING)).toBe(14_533);
  });
});

describe('ElastiCache processing units', () => {
  it('cost 1 per KB transferred and at least 1 per command', () => {
    expect(ecpusFor(100)).toBe(1);
    expect(ecpusFor(3.2 * 1024)).toBeCloseTo(3.2, 9);
  });
});
