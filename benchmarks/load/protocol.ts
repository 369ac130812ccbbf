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
  /**
   * Drive each connection with the SDK users get (`createClient` and its real transport), not the
   * load generator's own raw client: the SDK then owns dead-peer detection, reconnection, resume
   * and dedupe, so loss and duplicate figures describe it. Kinds `socketio` and `apigw` only
   * (`SDK_CLIENT_KINDS`); the raw client stays for the baselines and for latency at scale, where an
   * SDK per connection would measure the client.
   */
  sdk: z.boolean().default(false),
});
/** Client kinds the SDK has a transport for. */
export const SDK_CLIENT_KINDS: ReadonlySet<string> = new Set(['socketio', 'apigw']);
export type OpenSpec = z.input<typeof openSpecSchema>;

export const parentMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('open'), spec: openSpecSchema }),
  z.object({ type: z.literal('reset') }),
  z.object({ type: z.literal('collect'), withReceipts: z.boolean() }),
  z.object({ type: z.literal('close-all') }),
  z.object({ type: z.literal('exit') }),
]);
export type ParentMessage = z.input<typeof parentMessageSchema>;

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
