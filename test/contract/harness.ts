import type { Transport } from '@syncbell/client';
import type { Notification, NotificationType } from '@syncbell/contract';

/** An envelope from a newer server: at least an id and its user, anything else it likes. */
export type NewerEnvelope = { id: string; userId: string; createdAtMs: number } & Record<string, unknown>;

/** The keep-alive timing both SDK transports take. */
export interface KeepAliveTiming {
  keepAliveIntervalMs: number;
  pongTimeoutMs: number;
}

/** What the shared contract suite needs from a variant. Each variant's test folder provides one. */
export interface VariantHarness {
  name: string;
  /** URL the SDK connects to. */
  url: string;
  /** Base URL for `POST /jobs/sync`. */
  jobsUrl: string;
  /** The variant's SDK transport; `keepAlive` shortens its keep-alive (both transports take these two options). */
  transport(keepAlive?: KeepAliveTiming): Transport;
  token(userId: string, opts?: { expiresInSeconds?: number }): Promise<string>;
  /** Publishes through the variant's real server-side path (log append + fan-out). */
  publish(
    userId: string,
    overrides?: { type?: NotificationType; jobId?: string; data?: Record<string, unknown> },
  ): Promise<Notification>;
  /**
   * Publishes `envelope` as a newer server version would (a type or fields this version does not
   * know): through the same log + fan-out path, without this version's validation.
   */
  publishAsNewerServer(envelope: NewerEnvelope): Promise<void>;
  /**
   * Writes `entry` straight into `userId`'s replay log store, bypassing every publisher: an object
   * is stored as the envelope, a string as raw bytes (ECS) or a non-map attribute (API Gateway).
   */
  writeLogEntry(userId: string, entry: unknown): Promise<void>;
  /** URL a plain WebSocket client (not the SDK) may open with this token, where the variant has one. */
  rawSocketUrl(token: string): string;
  stop(): Promise<void>;
}
