import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createNotificationLog,
  type NotificationLog,
} from '../../../../apigw-websocket/src/data/notifications.js';
import { createNotification, type SkippedLogEntry } from '../../../../shared/contract/index.js';
import { startTestTables } from '../../support/fixtures.js';
import { newerServerRows } from '../../../support/newer-server.js';

let tables: Awaited<ReturnType<typeof startTestTables>>;
let log: NotificationLog;
const skipped: SkippedLogEntry[] = [];

beforeAll(async () => {
  tables = await startTestTables();
  log = createNotificationLog({
    client: tables.ddb,
    tableName: tables.tables.notificationsTable,
    ttlSeconds: 3600,
    onSkipped: (entry) => skipped.push(entry),
  });
});
afterAll(() => tables.close());

/** Writes a row straight into the table, as a newer version (or a bug) might have left it. */
async function writeRow(userId: string, id: string, notification: unknown): Promise<void> {
  await tables.ddb.send(
    new PutCommand({
      TableName: tables.tables.notificationsTable,
      Item: { userId, id, notification, ttl: Math.floor(Date.now() / 1000) + 3600 },
    }),
  );
}

describe('notification log read (a newer version wrote some rows)', () => {
  it('serves rows a newer version wrote as stored, and skips only the unreadable one with a report', async () => {
    const userId = 'newer-rows';
    const { seen, newer, corrupt } = newerServerRows(userId);
    const garbageKey = createNotification({ type: 'sync.complete', userId, jobId: 'g' }).id;
    await log.append(seen);
    await writeRow(userId, newer.id, newer);
    await writeRow(userId, corrupt.id, corrupt);
    await writeRow(userId, garbageKey, '{not json');
    skipped.length = 0;

    const result = await log.missedAfter(userId, seen.id);

    expect(result.notifications).toEqual([newer, corrupt]);
    expect(skipped).toEqual([{ userId, reason: 'unreadable', key: garbageKey }]);
  });

  it('never serves a row whose envelope belongs to another user, whatever partition it is in', async () => {
    const userId = 'owner';
    const seen = createNotification({ type: 'sync.complete', userId, jobId: 'seen' });
    const foreign = createNotification({ type: 'sync.complete', userId: 'someone-else', jobId: 'x' });
    await log.append(seen);
    await writeRow(userId, foreign.id, foreign);
    skipped.length = 0;

    const result = await log.missedAfter(userId, seen.id);

    expect(result.notifications).toEqual([]);
    expect(skipped).toEqual([{ userId, reason: 'another_user', key: foreign.id, id: foreign.id }]);
  });
});
