import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPACITY } from '../../cost/capacity.js';
import { DEFAULT_DEPLOYMENT } from '../../cost/deployed.js';
import { cacheNodeFor, connectionsPerTask, DEFAULT_ECS_SIZING, lcuFor } from '../../cost/ecs.js';
import { CostInputError } from '../../cost/errors.js';

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
  const task = DEFAULT_DEPLOYMENT.ecs;

  it('is the measured figure while memory and open files suffice', () => {
    expect(connectionsPerTask(DEFAULT_CAPACITY['ecs-socketio'], DEFAULT_ECS_SIZING, task)).toBe(19_500);
  });

  it('is capped by task memory when connections are heavy', () => {
    // (1 GiB x 0.75 - 150 MiB) / 100,000 B = (805,306,368 - 157,286,400) / 100,000 = 6,480
    const heavy = { ...DEFAULT_CAPACITY['ecs-socketio'], rssBytesPerConnection: 100_000 };
    expect(connectionsPerTask(heavy, DEFAULT_ECS_SIZING, task)).toBe(6_480);
  });

  it('is capped by the container nofile limit, less 100 descriptors', () => {
    const light = { ...DEFAULT_CAPACITY['ecs-ws'], connectionsPerTask: 1_000_000, rssBytesPerConnection: 1 };
    expect(connectionsPerTask(light, DEFAULT_ECS_SIZING, { ...task, nofileLimit: 4096 })).toBe(3996);
  });
});

describe('ElastiCache node type', () => {
  it('keeps the deployed node while the replay log fits in 75% of its memory', () => {
    expect(cacheNodeFor('cache.t4g.micro', 0.3, 0.25)).toMatchObject({
      nodeType: 'cache.t4g.micro',
      upgraded: false,
    });
  });

  it('moves to the smallest priced node that holds the log, and says so', () => {
    // 2.85 GiB: t4g.medium holds 3.09 x 0.75 = 2.32, m7g.large 6.38 x 0.75 = 4.79.
    expect(cacheNodeFor('cache.t4g.micro', 2.85, 0.25)).toMatchObject({
      nodeType: 'cache.m7g.large',
      upgraded: true,
    });
  });

  it('refuses a node type it has no price for', () => {
    expect(() => cacheNodeFor('cache.x9.huge', 0.1, 0.25)).toThrow(CostInputError);
    expect(() => cacheNodeFor('cache.x9.huge', 0.1, 0.25)).toThrow(
      /no price for redisNodeType "cache.x9.huge"/,
    );
  });
});
