import { type DynamoDBDocumentClient, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import {
  type Notification,
  notificationSchema,
  type ReplayResult,
  selectMissed,
} from '../../../shared/contract/index.js';

export interface NotificationLogOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** How long a notification stays replayable. */
  ttlSeconds: number;
  /** @default Date.now */
  now?: () => number;
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
}

export function createNotificationLog(options: NotificationLogOptions): NotificationLog {
  const { client, tableName, ttlSeconds } = options;
  const now = options.now ?? Date.now;
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
    async missedAfter(userId, after) {
      // Nothing seen yet: no read at all; selectMissed hands out a time cursor for next time.
      if (after === undefined) return selectMissed([], undefined, now());
      // The log is ordered by ULID sort key, so reading from `after` (inclusive) is the part of
      // the log selectMissed would look at: found -> what follows; gone -> all newer, truncated.
      const log: Notification[] = [];
      const pages = paginateQuery(
        { client },
        {
          TableName: tableName,
          KeyConditionExpression: 'userId = :userId AND id >= :after',
          // Expired rows linger (DynamoDB deletes them up to days late, dynalite never):
          // an expired `after` must read as gone, so filter here.
          FilterExpression: '#ttl > :nowSeconds',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':userId': userId,
            ':after': after,
            ':nowSeconds': Math.floor(now() / 1000),
          },
          // A notify that finished before the resume must be visible to it.
          ConsistentRead: true,
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          const parsed = notificationSchema.safeParse(item.notification);
          if (parsed.success) log.push(parsed.data);
        }
      }
      return selectMissed(log, after, now());
    },
  };
}
