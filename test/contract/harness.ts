import type { Transport } from '../../shared/client/index.js';
import type { Notification, NotificationType } from '../../shared/contract/index.js';

/** What the shared contract suite needs from a variant. Each variant's test folder provides one. */
export interface VariantHarness {
  name: string;
  /** URL the SDK connects to. */
  url: string;
  /** Base URL for `POST /jobs/sync`. */
  jobsUrl: string;
  transport(): Transport;
  token(userId: string, opts?: { expiresInSeconds?: number }): Promise<string>;
  /** Publishes through the variant's real server-side path (log append + fan-out). */
  publish(
    userId: string,
    overrides?: { type?: NotificationType; jobId?: string; data?: Record<string, unknown> },
  ): Promise<Notification>;
  /** URL a plain WebSocket client (not the SDK) may open with this token, where the variant has one. */
  rawSocketUrl(token: string): string;
  stop(): Promise<void>;
}
