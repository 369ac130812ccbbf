import { JOB_GROUP, JOB_STREAM_KEY, type QueuedJob, queuedJobSchema } from './jobs.js';
import { type AnyRedis, asRedisLike } from '../src/redis-client.js';

export interface JobQueueOptions {
  /** Commands (XADD, XACK, XAUTOCLAIM, the lease renewal); ioredis or node-redis. */
  redis: AnyRedis;
  /** A dedicated connection for the blocking XREADGROUP (on either client it holds the connection). @default `redis` */
  blockingRedis?: AnyRedis;
  /** @default JOB_STREAM_KEY */
  streamKey?: string;
  /** @default JOB_GROUP */
  group?: string;
}

export interface TakenJob {
  /** The stream entry id: what `complete` acknowledges. */
  entryId: string;
  /** Undefined when the entry cannot be read as a job (it is completed and dropped by the caller). */
  job: QueuedJob | undefined;
  /** Taken over from a consumer whose lease ran out (a worker that died or stalled mid-job). */
  recovered: boolean;
}

export interface JobQueue {
  /** Appends a job; it waits in the stream until a worker takes it. Resolves with the entry id. */
  enqueue(job: QueuedJob): Promise<string>;
  /** Creates the consumer group if it does not exist (from the stream's start: nothing queued earlier is skipped). */
  ensureGroup(): Promise<void>;
  /** New entries for `consumer`, waiting up to `blockMs` for one. */
  take(consumer: string, blockMs: number, count: number): Promise<TakenJob[]>;
  /** Entries whose lease is older than `visibilityTimeoutMs`, now owned (and leased) by `consumer`. */
  reclaim(consumer: string, visibilityTimeoutMs: number, count: number): Promise<TakenJob[]>;
  /** Renews `consumer`'s lease on the entries it still owns; resolves with those it no longer owns. */
  renew(consumer: string, entryIds: string[]): Promise<string[]>;
  /** Acknowledges and deletes the entry: the job is done (or was unreadable). */
  complete(entryId: string): Promise<void>;
  /** Taken and not completed, over all consumers. */
  pendingCount(): Promise<number>;
  /** Entries in the stream (waiting or taken). */
  length(): Promise<number>;
  /**
   * Removes `consumer` from the group if it owns nothing (a worker stopping cleanly). One that
   * still owns entries stays: DELCONSUMER would drop its entries from the pending list, and no
   * worker would ever recover them.
   */
  removeConsumer(consumer: string): Promise<void>;
}

type StreamEntry = [id: string, fields: string[] | null];

// The lease renewal must not take an entry back from a worker that already recovered it (XCLAIM
// with min-idle 0 would), so ownership is checked and the lease renewed in one script.
const RENEW_SCRIPT = `
local lost = {}
for i = 3, #ARGV do
  local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if pending[1] and pending[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  else
    table.insert(lost, ARGV[i])
  end
end
return lost`;

/**
 * The worker's reliable queue: a Redis Stream read through a consumer group. An entry taken with
 * XREADGROUP stays in the group's pending list, owned by the worker that took it, until that
 * worker acknowledges it after publishing; BLPOP removed the job before it ran, so a worker killed
 * mid-job lost it. The owner renews a lease on what it runs (the entry's idle time, reset by
 * XCLAIM) every fraction of the visibility timeout; an entry idle longer than that belongs to a
 * worker that died or stalled and any worker takes it over with XAUTOCLAIM. The lease, not the
 * job's length, bounds recovery time, so the visibility timeout need not exceed the longest job.
 * A job can therefore run twice (a stalled owner wakes up): completion is idempotent by job id
 * (the socket.io publisher claims each job).
 */
export function createJobQueue({
  redis: client,
  blockingRedis: blockingClient = client,
  streamKey = JOB_STREAM_KEY,
  group = JOB_GROUP,
}: JobQueueOptions): JobQueue {
  const redis = asRedisLike(client);
  const blockingRedis = asRedisLike(blockingClient);
  const parse = (entries: StreamEntry[], recovered: boolean): TakenJob[] =>
    entries.map(([entryId, fields]) => {
      let job: QueuedJob | undefined;
      const raw = fields?.[fields.indexOf('job') + 1];
      try {
        const parsed = queuedJobSchema.safeParse(raw === undefined ? undefined : JSON.parse(raw));
        job = parsed.success ? parsed.data : undefined;
      } catch {
        job = undefined;
      }
      return { entryId, job, recovered };
    });

  return {
    enqueue: async (job) => (await redis.call('XADD', streamKey, '*', 'job', JSON.stringify(job))) as string,
    async ensureGroup() {
      try {
        await redis.call('XGROUP', 'CREATE', streamKey, group, '0', 'MKSTREAM');
      } catch (error) {
        if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
      }
    },
    async take(consumer, blockMs, count) {
      const answer = (await blockingRedis.call(
        'XREADGROUP',
        'GROUP',
        group,
        consumer,
        'COUNT',
        count,
        'BLOCK',
        blockMs,
        'STREAMS',
        streamKey,
        '>',
      )) as [string, StreamEntry[]][] | Record<string, StreamEntry[]> | null;
      // RESP2 (and ioredis 6 on RESP3, which maps replies back to RESP2 shapes) answers
      // [[stream, entries]]; node-redis 6 on RESP3 (its default) answers a map, { stream: entries }.
      const entries = Array.isArray(answer) ? answer[0]?.[1] : answer?.[streamKey];
      return parse(entries ?? [], false);
    },
    async reclaim(consumer, visibilityTimeoutMs, count) {
      const taken: TakenJob[] = [];
      let cursor = '0-0';
      do {
        const [next, entries] = (await redis.call(
          'XAUTOCLAIM',
          streamKey,
          group,
          consumer,
          visibilityTimeoutMs,
          cursor,
          'COUNT',
          count - taken.length,
        )) as [string, StreamEntry[], string[]];
        taken.push(...parse(entries, true));
        cursor = next;
      } while (cursor !== '0-0' && taken.length < count);
      return taken;
    },
    async renew(consumer, entryIds) {
      if (entryIds.length === 0) return [];
      return (await redis.call('EVAL', RENEW_SCRIPT, 1, streamKey, group, consumer, ...entryIds)) as string[];
    },
    async complete(entryId) {
      await redis.transaction([
        ['XACK', streamKey, group, entryId],
        ['XDEL', streamKey, entryId],
      ]);
    },
    async pendingCount() {
      const [count] = (await redis.call('XPENDING', streamKey, group)) as [number, ...unknown[]];
      return count;
    },
    length: async () => (await redis.call('XLEN', streamKey)) as number,
    async removeConsumer(consumer) {
      const owned = (await redis.call('XPENDING', streamKey, group, '-', '+', 1, consumer)) as unknown[];
      if (owned.length === 0) await redis.call('XGROUP', 'DELCONSUMER', streamKey, group, consumer);
    },
  };
}
