import { z } from 'zod';
import { REGIONS, type Region } from './prices.js';

/** The AWS calculator's month. Every monthly figure in the model uses it. */
export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

export const ARCHES = ['x86_64', 'arm64'] as const;

/** API Gateway closes a WebSocket connection idle this long; it cannot be raised (FACTS.md). */
export const APIGW_IDLE_TIMEOUT_SECONDS = 600;
export type Arch = (typeof ARCHES)[number];

const count = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .finite({ error: `${what} must be a finite number` })
    .nonnegative({ error: `${what} must not be negative` });

/**
 * A workload as the user states it. Rates are per day, sizes in bytes, concurrency in
 * connections (one browser tab holds one connection).
 */
export const workloadInputSchema = z.object({
  /** Average concurrent connections over the month. @default 1000 */
  avgConnections: count('avgConnections').default(1000),
  /** Concurrent connections at the busiest hour; ECS is sized for it. @default 2.5 x avgConnections */
  peakConnections: count('peakConnections').optional(),
  /**
   * New connections per day (page loads, reconnects).
   * @default avgConnections x 24: a mean connection lifetime of 1 hour (Little's law)
   */
  connectsPerDay: count('connectsPerDay').optional(),
  /** Notifications published per day, one per (user, event). @default 20 x avgConnections */
  notificationsPerDay: count('notificationsPerDay').optional(),
  /** Size of one notification frame as sent (JSON), in bytes. @default 512 */
  messageBytes: count('messageBytes').min(1, { error: 'messageBytes must be at least 1' }).default(512),
  /** Connections a user holds at once (tabs, devices): each notification goes to all of them. @default 1.2 */
  connectionsPerUser: count('connectionsPerUser')
    .min(1, { error: 'connectionsPerUser must be at least 1' })
    .default(1.2),
  /**
   * Keep-alive interval for every option, in seconds, below 600. Unset: each option uses its own
   * default (25 s on ECS, socket.io's pingInterval; 300 s on API Gateway, half its 10-minute idle
   * timeout). 600 or more is refused: API Gateway's idle timeout is a hard 10 minutes, so such a
   * keep-alive holds no connection and the bill it prices could never be run.
   */
  keepaliveSeconds: count('keepaliveSeconds')
    .positive({ error: 'keepaliveSeconds must be above 0' })
    .lt(APIGW_IDLE_TIMEOUT_SECONDS, {
      error: (issue) =>
        `keepaliveSeconds must be below ${APIGW_IDLE_TIMEOUT_SECONDS} (got ${String(issue.input)}): API Gateway closes a WebSocket idle for 10 minutes (a hard limit), so a longer keep-alive cannot hold its connections; its default is 300`,
    })
    .optional(),
  /** @default 'us-east-1' */
  region: z
    .string()
    .default('us-east-1')
    .refine((value) => (REGIONS as string[]).includes(value), {
      error: (issue) => `unknown region "${String(issue.input)}" (known: ${REGIONS.join(', ')})`,
    }),
  /**
   * CPU architecture of Fargate tasks and Lambda functions, overriding what the stacks deploy.
   * @default unset: as deployed (`cpuArchitecture` and `lambdaArchitecture` in infra/lib/config.ts, arm64)
   */
  arch: z
    .enum(ARCHES, { error: (issue) => `unknown arch "${String(issue.input)}" (known: ${ARCHES.join(', ')})` })
    .optional(),
});
export type WorkloadInput = z.input<typeof workloadInputSchema>;

/** A workload with every default filled in: what the model computes on and `--json` prints. */
export interface Workload {
  avgConnections: number;
  peakConnections: number;
  connectsPerDay: number;
  notificationsPerDay: number;
  messageBytes: number;
  connectionsPerUser: number;
  /** null: each option uses its own default interval. */
  keepaliveSeconds: number | null;
  region: Region;
  /** null: each stack's deployed architecture. */
  arch: Arch | null;
}

export const DEFAULT_PEAK_TO_AVG = 2.5;
export const DEFAULT_CONNECTION_LIFETIME_HOURS = 1;
export const DEFAULT_NOTIFICATIONS_PER_CONNECTION_PER_DAY = 20;

/** Validates a workload and fills in the documented defaults. Throws `z.ZodError` on bad input. */
export function resolveWorkload(input: WorkloadInput = {}): Workload {
  const parsed = workloadInputSchema.parse(input);
  const workload: Workload = {
    avgConnections: parsed.avgConnections,
    peakConnections: parsed.peakConnections ?? parsed.avgConnections * DEFAULT_PEAK_TO_AVG,
    connectsPerDay: parsed.connectsPerDay ?? (parsed.avgConnections * 24) / DEFAULT_CONNECTION_LIFETIME_HOURS,
    notificationsPerDay:
      parsed.notificationsPerDay ?? parsed.avgConnections * DEFAULT_NOTIFICATIONS_PER_CONNECTION_PER_DAY,
    messageBytes: parsed.messageBytes,
    connectionsPerUser: parsed.connectionsPerUser,
    keepaliveSeconds: parsed.keepaliveSeconds ?? null,
    region: parsed.region as Region,
    arch: parsed.arch ?? null,
  };
  if (workload.peakConnections < workload.avgConnections) {
    throw new z.ZodError([
      {
        code: 'custom',
        path: ['peakConnections'],
        message: `peakConnections (${workload.peakConnections}) must not be below avgConnections (${workload.avgConnections})`,
        input: workload.peakConnections,
      },
    ]);
  }
  return workload;
}

/**
 * The same workload at another average concurrency: peak, connects and notifications scale by
 * the same factor, so the shape (peak/avg, notifications per connection) stays. The chart and
 * the break-even search sweep along this line.
 */
export function scaleWorkload(workload: Workload, avgConnections: number): Workload {
  const factor = workload.avgConnections === 0 ? 0 : avgConnections / workload.avgConnections;
  return {
    ...workload,
    avgConnections,
    peakConnections: workload.peakConnections * factor,
    connectsPerDay: workload.connectsPerDay * factor,
    notificationsPerDay: workload.notificationsPerDay * factor,
  };
}
