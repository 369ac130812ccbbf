import {
  type LoggedEntry,
  type Notification,
  type ReplayResult,
  receivedNotificationSchema,
  type SkippedLogEntry,
  screenLogEntry,
  selectMissed,
} from '../../shared/contract/index.js';
import { type AnyRedis, asRedisLike } from './redis-client.js';

export interface ReplayLogOptions {
  /** ioredis or node-redis (or either, wrapped). */
  redis: AnyRedis;
  /** Entries kept per user (approximate trim: Redis trims whole macro-nodes). @default 1000 */
  maxLen?: number;
  /** The user's log expires this long after its last append. @default 86400 */
  ttlSeconds?: number;
  /** @default 'syncbell:log:' */
  keyPrefix?: string;
  /** Where each job's claimed notification is kept (`appendOnce`). @default 'syncbell:job-done:' */
  claimPrefix?: string;
  /** Told about every entry a read leaves out (the server logs a warning and counts it). @default ignore */
  onSkipped?: (entry: SkippedLogEntry) => void;
}

export const DEFAULT_REPLAY_LOG_PREFIX = 'syncbell:log:';

/** The Redis key of `userId`'s log; the hash tag keeps a user's log in one cluster slot. */
export function replayLogKey(userId: string, keyPrefix = DEFAULT_REPLAY_LOG_PREFIX): string {
  return `${keyPrefix}{${userId}}`;
}

export interface ReplayLog {
  append(notification: Notification): Promise<void>;
  /**
   * Appends the notification of `notification.jobId` unless that job already has one, and
   * resolves with the job's notification: this one, or the one a first attempt stored. A job
   * completed twice (recovered from a worker that died after publishing, handed off by a draining
   * container as it finished) is then logged once and published under one id, which the SDK
   * drops when it sees it again.
   */
  appendOnce(notification: Notification): Promise<Notification>;
  read(userId: string, after: string | undefined): Promise<ReplayResult>;
}

/** KEYS: the job's claim, the user's log. ARGV: the envelope, the log's max length, the TTL in seconds. */
const APPEND_ONCE_SCRIPT = `
local claimed = redis.call('GET', KEYS[1])
if claimed then return claimed end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'n', ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return ARGV[1]`;

/**
 * A per-user Redis Stream of notifications. The @socket.io/redis-adapter cannot recover missed
 * packets (no connection state recovery), so replay lives here: written before every publish,
 * read on every resume. Reads serve entries a newer version wrote as they are stored (see
 * "Evolving the contract" in shared/contract/evolution.ts).
 */
export function createReplayLog({
  redis: client,
  maxLen = 1000,
  ttlSeconds = 86_400,
  keyPrefix = DEFAULT_REPLAY_LOG_PREFIX,
  claimPrefix = 'syncbell:job-done:',
  onSkipped = () => {},
}: ReplayLogOptions): ReplayLog {
  const redis = asRedisLike(client);
  // The user id is the hash tag of both keys, so the claim and the log share a cluster slot and
  // one script can write both.
  const keyOf = (userId: string) => replayLogKey(userId, keyPrefix);
  const claimKeyOf = (n: Notification) => `${claimPrefix}{${n.userId}}:${n.jobId}`;
  return {
    async append(notification) {
      const key = keyOf(notification.userId);
      await redis.transaction([
        ['XADD', key, 'MAXLEN', '~', maxLen, '*', 'n', JSON.stringify(notification)],
        ['EXPIRE', key, ttlSeconds],
      ]);
    },
    async appendOnce(notification) {
      // Claim and append in one script: no crash can leave a job claimed but not logged (its
      // notification would then never be logged) or logged twice (two entries, one id).
      const stored = (await redis.call(
        'EVAL',
        APPEND_ONCE_SCRIPT,
        2,
        claimKeyOf(notification),
        keyOf(notification.userId),
        JSON.stringify(notification),
        String(maxLen),
        String(ttlSeconds),
      )) as string;
      // Read as a reader reads (the contract's evolution rules): a claim a newer version stored
      // during a rolling deploy is re-published as stored, not refused.
      const parsed = receivedNotificationSchema.safeParse(JSON.parse(stored));
      if (!parsed.success)
        throw new Error(`the stored notification of job ${notification.jobId} is unreadable`);
      return parsed.data as Notification;
    },
    async read(userId, after) {
      // A first connect only needs the newest entry (for the cursor); a resume reads the whole log.
      const entries = (
        after === undefined
          ? await redis.call('XREVRANGE', keyOf(userId), '+', '-', 'COUNT', 1)
          : await redis.call('XRANGE', keyOf(userId), '-', '+', 'COUNT', maxLen * 2)
      ) as [id: string, fields: string[]][];
      const log: LoggedEntry[] = [];
      for (const [streamId, fields] of entries) {
        const screened = screenLogEntry(parseEntry(fields), userId);
        // Defence in depth inside: a row that is not this user's never leaves the log.
        if ('served' in screened) log.push(screened.served);
        else
          onSkipped({
            userId,
            reason: screened.skipped,
            key: streamId,
            ...(screened.id ? { id: screened.id } : {}),
          });
      }
      return selectMissed(log, after);
    },
  };
}

/** The entry's `n` field (the only one `append` writes), parsed; undefined when missing or not JSON. */
function parseEntry(fields: string[]): unknown {
  const raw = fields[1];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
