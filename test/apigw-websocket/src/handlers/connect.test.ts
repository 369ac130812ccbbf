import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTION_MAX_AGE_SECONDS } from '../../../../apigw-websocket/src/config.js';
import { createConnectionsStore } from '../../../../apigw-websocket/src/data/connections.js';
import { createConnectHandler } from '../../../../apigw-websocket/src/handlers/connect.js';
import { createDisconnectHandler } from '../../../../apigw-websocket/src/handlers/disconnect.js';
import { signToken } from '../../../../shared/server/auth/index.js';
import { ErrorCode } from '../../../../shared/contract/index.js';
import { noopTelemetry, startTestTables, webSocketEvent } from '../../support/fixtures.js';

const jwtKey = new TextEncoder().encode('unit-test-secret-that-is-long-enough-0123456789');
let tables: Awaited<ReturnType<typeof startTestTables>>;
let connect: ReturnType<typeof createConnectHandler>;
let disconnect: ReturnType<typeof createDisconnectHandler>;

beforeAll(async () => {
  tables = await startTestTables();
  const connections = createConnectionsStore({
    client: tables.ddb,
    tableName: tables.tables.connectionsTable,
    byUserIndex: tables.tables.connectionsByUserIndex,
  });
  connect = createConnectHandler(() => ({ connections, jwtKey, telemetry: noopTelemetry }));
  disconnect = createDisconnectHandler(() => ({ connections, telemetry: noopTelemetry }));
});
afterAll(() => tables.close());

const rowOf = async (connectionId: string) =>
  (
    await tables.ddb.send(
      new GetCommand({ TableName: tables.tables.connectionsTable, Key: { connectionId } }),
    )
  ).Item;

describe('$connect', () => {
  it('stores the user the authorizer verified, with a TTL in epoch seconds just past the 2-hour cap', async () => {
    const beforeSeconds = Math.floor(Date.now() / 1000);
    const result = await connect(
      webSocketEvent({ routeKey: '$connect', connectionId: 'c-1=', authorizerUserId: 'alice' }),
    );
    expect(result.statusCode).toBe(200);
    const row = await rowOf('c-1=');
    expect(row).toMatchObject({ connectionId: 'c-1=', userId: 'alice' });
    // Seconds, not milliseconds: a millisecond TTL would never expire.
    expect(row?.ttl).toBeGreaterThan(beforeSeconds + CONNECTION_MAX_AGE_SECONDS);
    expect(row?.ttl).toBeLessThan(beforeSeconds + CONNECTION_MAX_AGE_SECONDS + 3600);
  });

  it('verifies the query-string token itself when no authorizer context is present', async () => {
    const token = await signToken({ userId: 'bob', key: jwtKey });
    const result = await connect(webSocketEvent({ routeKey: '$connect', connectionId: 'c-2=', token }));
    expect(result.statusCode).toBe(200);
    expect(await rowOf('c-2=')).toMatchObject({ userId: 'bob' });
  });

  it('refuses a missing, forged or expired token with 401 and the contract code, storing nothing', async () => {
    const forged = await signToken({ userId: 'mallory', key: new TextEncoder().encode('x'.repeat(40)) });
    const expired = await signToken({ userId: 'carol', key: jwtKey, expiresInSeconds: -5 });
    const cases = [
      { id: 'c-none=', token: undefined, code: ErrorCode.InvalidToken },
      { id: 'c-forged=', token: forged, code: ErrorCode.InvalidToken },
      { id: 'c-expired=', token: expired, code: ErrorCode.TokenExpired },
    ];
    for (const { id, token, code } of cases) {
      const result = await connect(
        webSocketEvent({ routeKey: '$connect', connectionId: id, ...(token ? { token } : {}) }),
      );
      expect(result.statusCode).toBe(401);
      expect(JSON.parse(result.body ?? '{}')).toMatchObject({ code });
      expect(await rowOf(id)).toBeUndefined();
    }
  });
});

describe('$disconnect', () => {
  it('deletes the connection row', async () => {
    await connect(webSocketEvent({ routeKey: '$connect', connectionId: 'c-3=', authorizerUserId: 'dave' }));
    expect(await rowOf('c-3=')).toBeDefined();
    await disconnect(webSocketEvent({ routeKey: '$disconnect', connectionId: 'c-3=' }));
    expect(await rowOf('c-3=')).toBeUndefined();
  });
});
