import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { userIdSchema } from '@syncbell/contract';
import { CONNECTION_MAX_AGE_SECONDS, CONNECTION_TTL_SLACK_SECONDS } from '../config.js';

/** One row per open WebSocket: key `connectionId`, GSI `byUser` on `userId`, TTL `ttl` (epoch seconds). */
export const connectionRowSchema = z.object({
  connectionId: z.string().min(1),
  userId: userIdSchema,
  connectedAtMs: z.number().int(),
  ttl: z.number().int(),
});
export type ConnectionRow = z.infer<typeof connectionRowSchema>;

export interface ConnectionsStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  byUserIndex: string;
  /** @default Date.now */
  now?: () => number;
}

export interface ConnectionsStore {
  /** `$connect`: 1 WCU on the table + 1 WCU on the GSI (item < 1 KB). */
  put(connectionId: string, userId: string): Promise<ConnectionRow>;
  /** `$disconnect` or a 410: 1 WCU + 1 WCU on the GSI; deleting a missing row costs 1 WCU. */
  delete(connectionId: string): Promise<void>;
  /** One row by key, strongly consistent: 1 RCU. Expired rows read as missing. */
  get(connectionId: string): Promise<ConnectionRow | undefined>;
  /** A user's live connections: one GSI Query, 0.5 RCU per 4 KB (GSIs are eventually consistent). */
  listByUser(userId: string): Promise<ConnectionRow[]>;
}

export function createConnectionsStore(options: ConnectionsStoreOptions): ConnectionsStore {
  const { client, tableName, byUserIndex } = options;
  const now = options.now ?? Date.now;
  return {
    async put(connectionId, userId) {
      const nowMs = now();
      const row: ConnectionRow = {
        connectionId,
        userId,
        connectedAtMs: nowMs,
        // Epoch SECONDS: DynamoDB ignores a millisecond TTL (it reads as a date far in the future).
        ttl: Math.floor(nowMs / 1000) + CONNECTION_MAX_AGE_SECONDS + CONNECTION_TTL_SLACK_SECONDS,
      };
      await client.send(new PutCommand({ TableName: tableName, Item: row }));
      return row;
    },
    async delete(connectionId) {
      await client.send(new DeleteCommand({ TableName: tableName, Key: { connectionId } }));
    },
    async get(connectionId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { connectionId }, ConsistentRead: true }),
      );
      const row = connectionRowSchema.safeParse(Item);
      return row.success && row.data.ttl > Math.floor(now() / 1000) ? row.data : undefined;
    },
    async listByUser(userId) {
      const rows: ConnectionRow[] = [];
      const pages = paginateQuery(
        { client },
        {
          TableName: tableName,
          IndexName: byUserIndex,
          KeyConditionExpression: 'userId = :userId',
          // DynamoDB deletes expired rows up to days late and dynalite never does.
          FilterExpression: '#ttl > :nowSeconds',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':userId': userId, ':nowSeconds': Math.floor(now() / 1000) },
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          const row = connectionRowSchema.safeParse(item);
          if (row.success) rows.push(row.data);
        }
      }
      return rows;
    },
  };
}
