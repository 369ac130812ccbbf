import { describe, expect, it } from 'vitest';
import { apigwEmulated } from '../../benchmarks/contenders/apigw-emulated.js';
import type { Contender } from '../../benchmarks/contenders/contender.js';
import { rawWsRedis } from '../../benchmarks/contenders/raw-ws-redis.js';
import { PROFILES } from '../../benchmarks/profiles.js';
import { contenderContext, type ScenarioContext, scaleNote } from '../../benchmarks/scenarios.js';

const context = (profile = PROFILES.full): ScenarioContext =>
  ({ profile, redisUrl: 'redis://127.0.0.1:1' }) as unknown as ScenarioContext;

const limits = { connections: 2_000, ratePerSecond: 200, rampPerSecond: 150, reason: 'an emulator' };
const limited: Contender = { ...rawWsRedis, scaleLimits: limits };

describe('per-contender scale limits', () => {
  it('caps every count and rate of the profile, keeping distinct unicast levels in order', () => {
    const { profile } = contenderContext(context(), limited);
    expect(profile.unicastConnections).toEqual([1_000, 2_000]);
    expect(profile.unicastRatePerSecond).toBe(200);
    expect(profile.fanoutConnections).toBe(2_000);
    expect(profile.capacityConnections).toBe(2_000);
    expect(profile.rampPerSecond).toBe(150);
    // what the limits do not name is left as the profile says
    expect(profile.dropConnections).toBe(PROFILES.full.dropConnections);
    expect(scaleNote(PROFILES.full, limited)).toMatch(
      /2000 connections, 200 notifications\/s, ramp 150\/s: an emulator/,
    );
  });

  it('leaves a profile already under the limits alone and says nothing in the report', () => {
    const ctx = context(PROFILES.quick);
    const roomy: Contender = { ...rawWsRedis, scaleLimits: { ...limits, rampPerSecond: 1_000 } };
    const { profile } = contenderContext(ctx, roomy);
    expect(profile).toEqual(PROFILES.quick);
    expect(scaleNote(PROFILES.quick, roomy)).toBeUndefined();
    // one figure over is enough for the note
    expect(scaleNote(PROFILES.quick, limited)).toMatch(/ramp 150\/s/);
  });

  it('does not touch contenders without limits', () => {
    const ctx = context();
    expect(contenderContext(ctx, rawWsRedis)).toBe(ctx);
    expect(scaleNote(PROFILES.full, rawWsRedis)).toBeUndefined();
  });

  it('limits the emulated API Gateway in the full profile and keeps its heartbeat floor', () => {
    const { profile } = contenderContext(context(), apigwEmulated);
    expect(Math.max(...profile.unicastConnections)).toBeLessThan(
      Math.max(...PROFILES.full.unicastConnections),
    );
    expect(profile.heartbeat.intervalMs).toBeGreaterThanOrEqual(apigwEmulated.minHeartbeatIntervalMs ?? 0);
    expect(scaleNote(PROFILES.full, apigwEmulated)).toContain('serverless-offline');
  });
});
