import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../apigw-websocket/src/config.js';
import { withCode } from '../../support/errors.js';
import { ServerErrorCode } from '../../../shared/server/index.js';

describe('loadConfig', () => {
  it('fills every default from an empty environment (outside production)', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      connectionsTable: 'syncbell-connections',
      notificationsTable: 'syncbell-notifications',
      connectionsByUserIndex: 'byUser',
      dynamodbEndpoint: undefined,
      managementEndpoint: undefined,
      notifyFunctionName: undefined,
      nodeEnv: 'development',
      replayTtlSeconds: 86_400,
      notifyConcurrency: 10,
      isDevSecret: true,
    });
  });

  it('treats empty strings from serverless.yml as unset', () => {
    const config = loadConfig({
      DYNAMODB_ENDPOINT: '',
      NOTIFY_FUNCTION_NAME: '',
      WEBSOCKET_MANAGEMENT_ENDPOINT: '',
    });
    expect(config.dynamodbEndpoint).toBeUndefined();
    expect(config.notifyFunctionName).toBeUndefined();
  });

  it('refuses to start in production without a JWT secret, and on bad numbers', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'JWT_SECRET'),
    );
    expect(() => loadConfig({ NOTIFY_CONCURRENCY: 'many' })).toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'NOTIFY_CONCURRENCY'),
    );
    expect(() => loadConfig({ DYNAMODB_ENDPOINT: 'not a url' })).toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'DYNAMODB_ENDPOINT'),
    );
  });
});
