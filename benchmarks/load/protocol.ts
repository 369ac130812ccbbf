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
  /**
   * SDK connections only: stream each client's events to the parent (`events` messages), so a
   * chaos scenario watches clients in other processes as it watches its own (chaos/fleet.ts,
   * `processes`). Each client is named by its entry in `labels` and tagged `chaos=<label>` in its
   * socket.io query, as the in-process fleet's are. @default false
   */
  report: z.boolean().default(false),
  /** One per `userIds` entry (with `report`). */
  labels: z.array(z.string()).optional(),
  /** The JWT secret the clients sign their tokens with. @default the process's JWT_SECRET (or the dev secret) */
  jwtSecret: z.string().optional(),
  /** SDK transport timings, over the ones above. @default the transport's (socket.io), the ones above (apigw) */
  sdkTransport: z
    .object({
      keepAliveIntervalMs: z.number().positive().optional(),
      pongTimeoutMs: z.number().positive().optional(),
      resumeTimeoutMs: z.number().positive().optional(),
    })
    .optional(),
  /** The SDK's connect timeout. @default 20000 */
  connectTimeoutMs: z.number().positive().optional(),
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

/**
 * One SDK client event, as `createClient` emitted it in a client process (`OpenSpec.report`):
 * the payload is the SDK's own (an error as its code and message), plus when it happened.
 */
export type ReportedEvent = { label: string; atMs: number } & (
  | {
      event: 'state';
      payload: {
        oldState: string;
        newState: string;
        attempt: number;
        reason?: { code: string | number; reason: string };
      };
    }
  | {
      event: 'notification';
      payload: {
        notification: Record<string, unknown>;
        meta: { replayed: boolean; latencyMs: number; receivedAtMs: number };
      };
    }
  | { event: 'resumed'; payload: { replayed: number; truncated: boolean; servedBy?: string } }
  | { event: 'moved'; payload: { from?: string } }
  | { event: 'moveFailed'; payload: { reason: string } }
  | { event: 'error'; payload: { code: string; message: string } }
);

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'events'; events: ReportedEvent[] }
  | { type: 'progress'; connected: number }
  | { type: 'opened'; connected: number; failed: number; failureSamples: string[] }
  | Collected
  | { type: 'closed' };
