import { z } from 'zod';

/** Microseconds on a clock all local processes share (wall clock with sub-ms precision). */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

export const clientKindSchema = z.enum([
  'socketio',
  'socketio-polling',
  'ws',
  'sse',
  'long-polling',
  'apigw',
]);

/** What one load-generator process is asked to open. */
export const openSpecSchema = z.object({
  kind: clientKindSchema,
  urls: z.array(z.string()).min(1),
  userIds: z.array(z.string()).min(1),
  /** Loopback source addresses to spread connections over (ephemeral ports are per address). */
  localAddresses: z.array(z.string()).min(1),
  rampPerSecond: z.number().positive(),
  resume: z.boolean(),
  heartbeatIntervalMs: z.number().positive(),
  heartbeatTimeoutMs: z.number().positive(),
  /** Reconnect after a drop (full-jitter backoff between these bounds). */
  reconnect: z.boolean(),
  reconnectMinMs: z.number().nonnegative(),
  reconnectMaxMs: z.number().positive(),
  /** Send no keep-alives (the idle-timeout part of scenario 6). */
  keepAlive: z.boolean(),
});
export type OpenSpec = z.infer<typeof openSpecSchema>;

export const parentMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('open'), spec: openSpecSchema }),
  z.object({ type: z.literal('reset') }),
  z.object({ type: z.literal('collect'), withReceipts: z.boolean() }),
  z.object({ type: z.literal('close-all') }),
  z.object({ type: z.literal('exit') }),
]);
export type ParentMessage = z.infer<typeof parentMessageSchema>;

export interface Receipt {
  count: number;
  firstUs: number;
  lastUs: number;
}

export interface Collected {
  type: 'collected';
  histogram: string;
  received: number;
  duplicates: number;
  connected: number;
  /** Wall-clock ms at which a connection noticed it was gone. */
  disconnectsAtMs: number[];
  /** Wall-clock ms at which a connection was back and resumed. */
  reconnectsAtMs: number[];
  receipts: Record<string, Receipt>;
  /** Connection attempts that failed and their reasons (first few). */
  failures: number;
  failureSamples: string[];
  sessionsOpened: number;
}

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'progress'; connected: number }
  | { type: 'opened'; connected: number; failed: number; failureSamples: string[] }
  | Collected
  | { type: 'closed' };
