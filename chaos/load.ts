import type { Notification } from '../shared/contract/index.js';
import type { DeliveryLedger } from './ledger.js';
import type { ScenarioResult } from './scenario.js';

export interface PublishLoadOptions {
  ledger: DeliveryLedger;
  users: string[];
  /**
   * Publishes one notification for `userId` through the variant's real server-side path. Resolve
   * with the notification to have it recorded as published; a publisher that records its own
   * expectations (jobs, known only by job id) resolves with nothing.
   */
  publish(userId: string, sequence: number): Promise<Pick<Notification, 'id' | 'userId'> | undefined>;
  /** Notifications per second across all users. */
  perSecond: number;
}

export interface PublishLoad {
  /** Stops publishing and waits for every publish in flight; resolves with what failed. */
  stop(): Promise<{ published: number; failed: number; errors: string[] }>;
  /** Publishes started so far. */
  readonly started: number;
  /** Publishes not yet answered (e.g. queued while Redis is down). */
  readonly inFlight: number;
}

/**
 * Notifications flowing while a fault happens: round robin over the users at a steady rate.
 * Publishes are not awaited one by one: while Redis is down they queue in the client (ioredis)
 * and the load keeps coming, as it would in production. A notification counts as published
 * once its publish call resolves; one that fails is reported, not counted as lost.
 */
export function startPublishLoad(options: PublishLoadOptions): PublishLoad {
  const { ledger, users, perSecond } = options;
  const pending = new Set<Promise<void>>();
  const errors: string[] = [];
  let started = 0;
  let published = 0;
  let failed = 0;
  let cursor = 0;
  const intervalMs = Math.max(5, Math.round(1000 / perSecond));
  const timer = setInterval(() => {
    const userId = users[cursor++ % users.length] as string;
    const sequence = started++;
    const task = options.publish(userId, sequence).then(
      (notification) => {
        if (notification) ledger.published(notification);
        published++;
      },
      (error: unknown) => {
        failed++;
        if (errors.length < 5) errors.push(error instanceof Error ? error.message : String(error));
      },
    );
    pending.add(task);
    void task.finally(() => pending.delete(task));
  }, intervalMs);
  return {
    get started() {
      return started;
    },
    get inFlight() {
      return pending.size;
    },
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...pending]);
      return { published, failed, errors };
    },
  };
}

/** Resolves after `ms`: how long a fault lasts, never a wait for an outcome. */
export const hold = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let counter = 0;
/** User ids unique to this run, so scenarios never read each other's replay logs. */
export function chaosUsers(prefix: string, count: number): string[] {
  const run = `${Date.now().toString(36)}${(++counter).toString(36)}`;
  return Array.from({ length: count }, (_, i) => `chaos-${prefix}-${run}-${i}`);
}

/** Stops the load and notes any publish that failed (a failed publish is reported, not counted as lost). */
export async function stopLoad(load: PublishLoad, result: ScenarioResult): Promise<void> {
  const stopped = await load.stop();
  if (stopped.failed > 0)
    result.observations.push(`${stopped.failed} publishes failed: ${stopped.errors.join('; ')}`);
}
