import { type Notification, type ReceivedNotification, ulidTimeMs } from '../shared/contract/index.js';
import type { ScenarioResult } from './scenario.js';

interface Watcher {
  label: string;
  userId: string;
  /** Ids surfaced to the app, in order (repeats kept: they are what we count). */
  surfaced: string[];
  /** Job id -> the distinct notification ids it surfaced under (a retried job must not notify twice). */
  jobIds: Map<string, Set<string>>;
  /** Publish (the envelope's `createdAtMs`) to first hand-off, per notification id. */
  delaysMs: Map<string, number>;
}

export interface LedgerSummary {
  /** Notifications published plus jobs accepted. */
  published: number;
  /** Sum over clients of what their user was sent after they joined and they never surfaced. */
  lost: number;
  /** Sum over clients of ids surfaced more than once, plus jobs surfaced under more than one id. */
  duplicates: number;
  /** Notifications of another user surfaced by any client or received by any attacker socket. */
  crossUser: number;
  /** A few lost ids / job ids, for the report. */
  lostSamples: string[];
}

/**
 * The source of truth of a scenario: what was published for whom, and what each client handed
 * its app. "Lost" is published-and-never-surfaced by a client of that user; "duplicate" is an id
 * surfaced twice by one client; "cross-user" is anything surfaced to or seen by the wrong user.
 */
export class DeliveryLedger {
  readonly #watchers: Watcher[] = [];
  readonly #published = new Map<string, string>(); // notification id -> userId
  readonly #jobs = new Map<string, string>(); // jobId -> userId
  /**
   * The same by user: a client's missing ids are looked up among its user's only. Scanning every
   * published id per client made each settle check 10,000 clients × every notification, and the
   * check runs on every hand-off while the storms settle.
   */
  readonly #publishedByUser = new Map<string, string[]>();
  readonly #jobsByUser = new Map<string, string[]>();
  readonly #poke = new Set<() => void>();
  #foreign = 0;

  /** Registers an SDK client of `userId`; call `surfaced` for every notification it hands the app. */
  watch(label: string, userId: string): (notification: ReceivedNotification, handedAtMs?: number) => void {
    const watcher: Watcher = { label, userId, surfaced: [], jobIds: new Map(), delaysMs: new Map() };
    this.#watchers.push(watcher);
    return (notification, handedAtMs = Date.now()) => {
      watcher.surfaced.push(notification.id);
      // One process publishes and receives: the same clock on both ends.
      if (!watcher.delaysMs.has(notification.id))
        watcher.delaysMs.set(notification.id, handedAtMs - notification.createdAtMs);
      // A newer server's envelope may carry no job id: it is then counted by id only.
      if (notification.jobId !== undefined) {
        const ids = watcher.jobIds.get(notification.jobId) ?? new Set<string>();
        ids.add(notification.id);
        watcher.jobIds.set(notification.jobId, ids);
      }
      if (notification.userId !== userId) this.#foreign++;
      for (const poke of [...this.#poke]) poke();
    };
  }

  /** An attacker socket received a notification addressed to `forUserId`; mine only if mine. */
  attackerReceived(attackerUserId: string, payload: unknown): void {
    const userId = (payload as { userId?: unknown } | null)?.userId;
    if (userId !== attackerUserId) this.#foreign++;
  }

  published(notification: Pick<Notification, 'id' | 'userId'>): void {
    if (this.#published.has(notification.id)) return;
    this.#published.set(notification.id, notification.userId);
    const ids = this.#publishedByUser.get(notification.userId) ?? [];
    ids.push(notification.id);
    this.#publishedByUser.set(notification.userId, ids);
  }

  jobAccepted(userId: string, jobId: string): void {
    if (this.#jobs.has(jobId)) return;
    this.#jobs.set(jobId, userId);
    const jobs = this.#jobsByUser.get(userId) ?? [];
    jobs.push(jobId);
    this.#jobsByUser.set(userId, jobs);
  }

  get publishedCount(): number {
    return this.#published.size + this.#jobs.size;
  }

  get clientCount(): number {
    return this.#watchers.length;
  }

  #missing(watcher: Watcher): string[] {
    const seen = new Set(watcher.surfaced);
    const missing: string[] = [];
    for (const id of this.#publishedByUser.get(watcher.userId) ?? []) if (!seen.has(id)) missing.push(id);
    for (const jobId of this.#jobsByUser.get(watcher.userId) ?? [])
      if (!watcher.jobIds.has(jobId)) missing.push(`job ${jobId}`);
    return missing;
  }

  /** Resolves when every client has surfaced everything of its user, or after `timeoutMs` (then the summary shows the loss). */
  settle(timeoutMs: number): Promise<boolean> {
    const complete = () => this.#watchers.every((w) => this.#missing(w).length === 0);
    return new Promise((resolve) => {
      if (complete()) return resolve(true);
      const timer = setTimeout(() => {
        this.#poke.delete(poke);
        resolve(false);
      }, timeoutMs);
      const poke = () => {
        if (!complete()) return;
        clearTimeout(timer);
        this.#poke.delete(poke);
        resolve(true);
      };
      this.#poke.add(poke);
    });
  }

  /** Publish-to-hand-off delay of every notification each client handed its app (first hand-off only). */
  deliveryDelaysMs(): number[] {
    return this.#watchers.flatMap((watcher) => [...watcher.delaysMs.values()]);
  }

  summary(): LedgerSummary {
    let lost = 0;
    let duplicates = 0;
    const lostSamples: string[] = [];
    for (const watcher of this.#watchers) {
      const missing = this.#missing(watcher);
      lost += missing.length;
      for (const id of missing.slice(0, 3)) {
        const created = id.startsWith('job ') ? '' : ` (created ${new Date(ulidTimeMs(id)).toISOString()})`;
        if (lostSamples.length < 5) lostSamples.push(`${watcher.label}: ${id}${created}`);
      }
      duplicates += watcher.surfaced.length - new Set(watcher.surfaced).size;
      for (const ids of watcher.jobIds.values()) duplicates += ids.size - 1;
    }
    return { published: this.publishedCount, lost, duplicates, crossUser: this.#foreign, lostSamples };
  }
}

/** Waits for the clients to catch up, then writes the ledger's counts (and what went missing) into `result`. */
export async function recordDeliveries(
  ledger: DeliveryLedger,
  result: ScenarioResult,
  settleTimeoutMs: number,
): Promise<void> {
  const settled = await ledger.settle(settleTimeoutMs);
  const summary = ledger.summary();
  result.notifications = summary.published;
  result.lost = summary.lost;
  result.duplicates = summary.duplicates;
  result.crossUser = summary.crossUser;
  if (!settled) result.observations.push(`not delivered: ${summary.lostSamples.join('; ')}`);
}
