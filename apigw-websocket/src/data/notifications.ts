import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type LoggedEntry,
  type Notification,
  notificationSchema,
  RECENT_POSITIONS,
  type ReplayResult,
  type SkippedLogEntry,
  screenLogEntry,
  selectMissed,
} from '@syncbell/contract';
import { checkClaim, payloadHash, UnreadableClaimError } from '@syncbell/server';

export interface NotificationLogOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** How long a notification stays replayable. */
  ttlSeconds: number;
  /** @default Date.now */
  now?: () => number;
  /** Told about every row a read leaves out (the handler logs a warning and counts it). @default ignore */
  onSkipped?: (entry: SkippedLogEntry) => void;
}

export interface NotificationLog {
  /** 1 WCU per KB of item (a typical envelope is 300 bytes: 1 WCU). */
  append(notification: Notification): Promise<void>;
  /**
   * What a client resuming after `after` missed (and its next `cursor`), as `selectMissed`
   * would pick it from the user's whole log.
   * One strongly consistent Query from `after` onwards: 1 RCU per 4 KB read, so replaying n
   * envelopes of 300 bytes costs ceil((n + 1) * 300 / 4096) RCU. No `after`, no read.
   */
  missedAfter(userId: string, after: string | undefined): Promise<ReplayResult>;
  /**
   * Claims the notification of `notification.jobId` for its user. The first caller stores it and
   * gets it back; a later caller (Lambda retried a failed notify, or delivered the async event
   * twice, which it may) gets the first one back, so every attempt publishes the same id and the
   * SDK drops the repeat. Without it a retried job notified the app twice under two ids.
   * One conditional write (1 WCU); a repeat adds one strongly consistent read (1 RCU). The claim's
   * sort key starts with '#', which sorts before every ULID, so replay reads never see it.
   * `key` deduplicates instead of the job id (the publisher's `idempotencyKey`). The claim stores
   * the payload's hash (`payloadHash`) beside the notification, so a later claim of the key with
   * another payload is refused with `IdempotencyConflictError` (nothing is written or posted).
   */
  claimJob(notification: Notification, key?: string): Promise<Notification>;
  /**
   * The ids of the newest notifications in the user's log, newest first, at most
   * `RECENT_POSITIONS`, none when there is none (the `pong`'s `latest` and `recent`, see the
   * contract's position.ts). One eventually consistent Query of 4 items (Limit 4, newest first):
   * half a read request unit per keep-alive while they total under 4 KB. Eventually consistent is
   * enough: a notification written a moment ago and missed here is found by the next ping.
   */
  recent(userId: string): Promise<string[]>;
}

/** Sort-key prefix of job claims; '#' sorts before every ULID character. */
export const JOB_CLAIM_PREFIX = '#job:';
/** Below every ULID (they start with 0-7) and above every claim key: `id >= ` it reads notifications only. */
const LOWEST_NOTIFICATION_KEY = '0';

export function createNotificationLog(options: NotificationLogOptions): NotificationLog {
  const { client, tableName, ttlSeconds } = options;
  const now = options.now ?? Date.now;
  /**
   * The query of a user's log rows from `from` (inclusive, by ULID sort key) that have not expired:
   * expired rows linger (DynamoDB deletes them up to days late, dynalite never), so the TTL is
   * filtered here. The one shape both the replay and the keep-alive's position read use.
   */
  const unexpiredFrom = (userId: string, from: string) => ({
    TableName: tableName,
    KeyConditionExpression: 'userId = :userId AND id >= :from',
    FilterExpression: '#ttl > :nowSeconds',
    ExpressionAttributeNames: { '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':userId': userId, ':from': from, ':nowSeconds': Math.floor(now() / 1000) },
  });
  const onSkipped = options.onSkipped ?? (() => {});
  return {
    async append(notification) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            userId: notification.userId,
            id: notification.id,
            notification,
            ttl: Math.floor(notification.createdAtMs / 1000) + ttlSeconds,
          },
        }),
      );
    },
    async claimJob(notification, claimKey = notification.jobId) {
      const key = { userId: notification.userId, id: `${JOB_CLAIM_PREFIX}${claimKey}` };
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...key,
              claimed: notification,
              payloadHash: payloadHash(notification),
              ttl: Math.floor(notification.createdAtMs / 1000) + ttlSeconds,
            },
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        );
        return notification;
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      }
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
      );
      const claimed = notificationSchema.safeParse(Item?.claimed);
      if (!claimed.success) throw new UnreadableClaimError(`the claim of ${claimKey} is unreadable`);
      // A claim written before hashes were stored has none: its notification's payload decides.
      const storedHash = typeof Item?.payloadHash === 'string' ? Item.payloadHash : undefined;
      checkClaim(claimed.data, storedHash, notification, claimKey);
      return claimed.data;
    },
    async recent(userId) {
      // Read capacity is charged on the items read before the filter: Limit 4 reads at most four
      // items (AWS DynamoDB developer guide, "Query operations in DynamoDB": "Limit" and "Filter
      // expressions"), 0.5 RRU eventually consistent while they total under 4 KB. Expired rows are
      // filtered out: an expired newest row means an expired log.
      const { Items } = await client.send(
        new QueryCommand({
          ...unexpiredFrom(userId, LOWEST_NOTIFICATION_KEY),
          ScanIndexForward: false,
          Limit: RECENT_POSITIONS,
          ConsistentRead: false,
        }),
      );
      // The same screen a replay applies: only this user's readable entries name a position.
      return (Items ?? []).flatMap((item) => {
        const screened = screenLogEntry(item.notification, userId);
        return 'served' in screened ? [screened.served.id] : [];
      });
    },
    async missedAfter(userId, after) {
      // Nothing seen yet: no read at all; selectMissed hands out a time cursor for next time.
      if (after === undefined) return selectMissed([], undefined, now());
      // The log is ordered by ULID sort key, so reading from `after` (inclusive) is the part of
      // the log selectMissed would look at: found -> what follows; gone -> all newer, truncated.
      const log: LoggedEntry[] = [];
      const pages = paginateQuery(
        { client },
        {
          // An expired `after` reads as gone (see unexpiredFrom).
          ...unexpiredFrom(userId, after),
          // A notify that finished before the resume must be visible to it.
          ConsistentRead: true,
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          // Served as stored, a newer version's entry included ("Evolving the contract"); the
          // check that the row is this user's stays, whatever partition it was read from.
          const screened = screenLogEntry(item.notification, userId);
          if ('served' in screened) log.push(screened.served);
          else
            onSkipped({
              userId,
              reason: screened.skipped,
              key: String(item.id),
              ...(screened.id ? { id: screened.id } : {}),
            });
        }
      }
      return selectMissed(log, after, now());
    },
  };
}
