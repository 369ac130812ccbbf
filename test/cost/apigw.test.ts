import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { APIGW_METERING_STEP_BYTES, apigwOptionCost, meteredMessages } from '../../cost/apigw.js';
import { APIGW_DYNAMODB_UNITS, logAppendWriteUnits, unitsPer } from '../../cost/apigw-units.js';
import { pricesFor } from '../../cost/prices.js';
import { DAYS_PER_MONTH, resolveWorkload, SECONDS_PER_MONTH } from '../../cost/workload.js';

describe('32 KB metering steps', () => {
  it('meters 32 KB as 1 message and 33 KB as 2 (the pricing page example)', () => {
    expect(APIGW_METERING_STEP_BYTES).toBe(32_768);
    expect(meteredMessages(32 * 1024)).toBe(1);
    expect(meteredMessages(33 * 1024)).toBe(2);
    expect(meteredMessages(1)).toBe(1);
  });

  it('meters any size as the number of started 32 KB steps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 32_768 }),
        (steps, lastStepBytes) => {
          const bytes = (steps - 1) * 32_768 + lastStepBytes;
          expect(meteredMessages(bytes)).toBe(steps);
          // One byte more than a whole number of steps starts the next one.
          if (lastStepBytes === 32_768) expect(meteredMessages(bytes + 1)).toBe(steps + 1);
        },
      ),
    );
  });
});

describe('DynamoDB units per operation', () => {
  it('counts a connection put or delete with its GSI write', () => {
    expect(unitsPer('connect')).toEqual({ writeUnits: 2, readUnits: 0 });
    expect(unitsPer('disconnect')).toEqual({ writeUnits: 2, readUnits: 0 });
  });

  it('charges an eventually consistent GSI query half a read unit', () => {
    expect(unitsPer('notification')).toEqual({ writeUnits: 0, readUnits: 0.5 });
    expect(unitsPer('resume')).toEqual({ writeUnits: 0, readUnits: 1 });
  });

  it('sizes the log append in started KB of the item', () => {
    // 512 + 100 B = 612 B: 1 WRU; 1,000 + 100 = 1,100 B: 2 WRU.
    expect(logAppendWriteUnits(512)).toBe(1);
    expect(logAppendWriteUnits(1000)).toBe(2);
  });

  it('gives every row a reason', () => {
    for (const row of APIGW_DYNAMODB_UNITS) expect(row.why.length).toBeGreaterThan(10);
  });
});

describe('the keep-alive’s log position (issue 21)', () => {
  it('costs one eventually consistent read of one item per ping', () => {
    expect(unitsPer('ping')).toEqual({ writeUnits: 0, readUnits: 0.5 });
  });

  it('is priced per ping, and the catch-up resumes at most one per delivery and one per ping', () => {
    const workload = resolveWorkload({ avgConnections: 1000, notificationsPerDay: 100 });
    const option = apigwOptionCost(workload, pricesFor('us-east-1'));
    const pings = (1000 * SECONDS_PER_MONTH) / 300;
    const line = (start: string) => option.lines.find((l) => l.item.startsWith(start));
    expect(line('DynamoDB reads: keep-alive log position')?.quantity).toBeCloseTo(pings * 0.5);
    const deliveries = 100 * DAYS_PER_MONTH * workload.connectionsPerUser;
    expect(line('DynamoDB reads: catch-up resume query')?.quantity).toBeCloseTo(Math.min(deliveries, pings));
  });
});
