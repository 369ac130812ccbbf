import {
  RECENT_POSITIONS,
  type LoggedEntry,
  type ReplayResult,
  type SkippedLogEntry,
  screenLogEntry,
  selectMissed,
} from '@syncbell/contract';
import { SOCKETIO_DEFAULTS } from './defaults.js';
import { type AnyRedis, asRedisLike } from './redis-client.js';

export interface ReplayLogOptions {
  /** ioredis or node-redis (or either, wrapped). */
  redis: AnyRedis;
  /** Entries kept per user, as the publisher that writes the log was given. @default 1000 */
  maxLen?: number;
  /** Where the log is: the publisher's `replay.keyPrefix` (`replayLogKey`). @default 'syncbell:log:' */
  keyPrefix?: string;
  /** Told about every entry a read leaves out (the server logs a warning and counts it). @default ignore */
  onSkipped?: (entry: SkippedLogEntry) => void;
}

export const DEFAULT_REPLAY_LOG_PREFIX = 'syncbell:log:';
/** The first page of a resume's backward read (`readBackTo`): a keep-alive's catch-up misses a few. */
const FIRST_PAGE = 16;
/** Where the publisher keeps each job's claimed notification (`syncbell:job-done:{userId}:key`). */
export const DEFAULT_JOB_CLAIM_PREFIX = 'syncbell:job-done:';

/**
 * The Redis key of `userId`'s log, the one key function of its writer (the publisher's script) and
 * its reader (`createReplayLog`); the hash tag keeps a user's log in one cluster slot.
 */
export function replayLogKey(userId: string, keyPrefix = DEFAULT_REPLAY_LOG_PREFIX): string {
  return `${keyPrefix}{${userId}}`;
}

export interface ReplayLog {
  read(userId: string, after: string | undefined): Promise<ReplayResult>;
  /**
   * The ids of the newest notifications in the user's log, newest first, at most
   * `RECENT_POSITIONS`, none when the log is empty (the keep-alive's `latest` and `recent`, see the
   * contract's position.ts). One `XREVRANGE ... COUNT 4`.
   */
  recent(userId: string): Promise<string[]>;
}

/**
 * The reader of the per-user Redis Stream of notifications. The @socket.io/redis-adapter cannot
 * recover missed packets (no connection state recovery), so replay lives here: written by the
 * publisher's script alone (`createSocketIoPublisher`, in the same script as the publish), read on
 * every resume. Reads serve entries a newer version wrote as they are stored (see "Evolving the
 * contract" in shared/contract/evolution.ts).
 */
export function createReplayLog({
  redis: client,
  maxLen = SOCKETIO_DEFAULTS.replayMaxLen,
  keyPrefix = DEFAULT_REPLAY_LOG_PREFIX,
  onSkipped = () => {},
}: ReplayLogOptions): ReplayLog {
  const redis = asRedisLike(client);
  const keyOf = (userId: string) => replayLogKey(userId, keyPrefix);
  const newest = (userId: string) => redis.call('XREVRANGE', keyOf(userId), '+', '-', 'COUNT', 1);
  /**
   * The stream entries, screened: only this user's readable notifications are served; what is left
   * out is reported when `report` (a resume), not on every keep-alive.
   */
  const screen = (userId: string, raw: unknown, report = true): LoggedEntry[] => {
    const entries = raw as [id: string, fields: string[]][];
    const log: LoggedEntry[] = [];
    for (const [streamId, fields] of entries) {
      const screened = screenLogEntry(parseEntry(fields), userId);
      // Defence in depth inside: a row that is not this user's never leaves the log.
      if ('served' in screened) log.push(screened.served);
      else if (report)
        onSkipped({
          userId,
          reason: screened.skipped,
          key: streamId,
          ...(screened.id ? { id: screened.id } : {}),
        });
    }
    return log;
  };
  /**
   * The log's newest entries, screened, oldest first: read backwards in pages that grow fourfold
   * (16, 64, 256, ...) until one holds `after` or the log (at most `maxLen * 2` entries: the
   * publisher trims approximately) is read. A resume usually misses a few entries (a keep-alive's
   * catch-up, a move between containers), so it reads a few, not the whole log: reading all 1,000
   * entries of a full log took 3 to 5 ms per resume here against well under 1 ms for the newest few.
   * What `after` cannot be found for (trimmed, or a time cursor, which names no entry) reads the
   * whole log, as `selectMissed` then needs it.
   */
  const readBackTo = async (userId: string, after: string): Promise<LoggedEntry[]> => {
    const limit = maxLen * 2;
    const pages: LoggedEntry[][] = [];
    let read = 0;
    let end = '+';
    for (let size = FIRST_PAGE; read < limit; size *= 4) {
      const count = Math.min(size, limit - read);
      const raw = (await redis.call('XREVRANGE', keyOf(userId), end, '-', 'COUNT', count)) as [
        string,
        string[],
      ][];
      read += raw.length;
      const page = screen(userId, raw);
      pages.push(page);
      const last = raw.at(-1);
      if (raw.length < count || last === undefined || page.some((entry) => entry.id === after)) break;
      // Exclusive range (Redis 6.2+): the next page starts below the last entry read.
      end = `(${last[0]}`;
    }
    return pages.flat().reverse();
  };
  return {
    async read(userId, after) {
      // A first connect only needs the newest entry (for the cursor).
      const log =
        after === undefined ? screen(userId, await newest(userId)) : await readBackTo(userId, after);
      return selectMissed(log, after);
    },
    async recent(userId) {
      const raw = await redis.call('XREVRANGE', keyOf(userId), '+', '-', 'COUNT', RECENT_POSITIONS);
      // Newest first, as read; not reported on every keep-alive (a resume reports what it skips).
      return screen(userId, raw, false).map((entry) => entry.id);
    },
  };
}

/** The entry's `n` field (the only one the publisher script writes), parsed; undefined when missing or not JSON. */
function parseEntry(fields: string[]): unknown {
  const raw = fields[1];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
