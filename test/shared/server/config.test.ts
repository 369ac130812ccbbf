import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../apigw-websocket/src/config.js';
import { loadEcsConfig } from '../../../ecs-socketio/src/config.js';
import {
  InfraErrorCode,
  resolveApiGwWebSocketConfig,
  resolveEcsSocketIoConfig,
} from '../../../infra/lib/config.js';
import { configMessage, ServerErrorCode } from '../../../shared/server/index.js';
import { withCode } from '../../support/errors.js';

/**
 * The one configuration pattern (`parseConfig` of @syncbell/server), run against every parser that
 * uses it: the ECS container's environment, the Lambda handlers' environment and the CDK
 * constructs' context. Each row: input with empty strings (which must read as unset), and input
 * with two bad settings (which must both be named, one per line, in one error of the package's code).
 */
const parsers = [
  {
    name: 'the ECS container (loadEcsConfig)',
    parse: (input: Record<string, unknown>) => loadEcsConfig(input as Record<string, string>),
    empty: { PORT: '', REDIS_URL: '', REDIS_ADAPTER: '', REPLAY_TTL_SECONDS: '', CORS_ORIGINS: '' },
    bad: { PORT: 'eighty', REDIS_ADAPTER: 'kafka' },
    named: ['PORT', 'REDIS_ADAPTER'],
    code: ServerErrorCode.InvalidConfig,
    label: 'invalid ECS service configuration',
  },
  {
    name: 'the Lambda handlers (loadConfig)',
    parse: (input: Record<string, unknown>) => loadConfig(input as Record<string, string>),
    empty: {
      CONNECTIONS_TABLE: '',
      DYNAMODB_ENDPOINT: '',
      REPLAY_TTL_SECONDS: '',
      NODE_ENV: '',
      JWT_SECRET: '',
    },
    bad: { NOTIFY_CONCURRENCY: 'many', DYNAMODB_ENDPOINT: 'not a url' },
    named: ['NOTIFY_CONCURRENCY', 'DYNAMODB_ENDPOINT'],
    code: ServerErrorCode.InvalidConfig,
    label: 'invalid apigw-websocket configuration',
  },
  {
    name: 'the socket.io construct (resolveEcsSocketIoConfig)',
    parse: (input: Record<string, unknown>) => resolveEcsSocketIoConfig(input),
    empty: { alarmEmail: '', jwtSecretName: '', certificateArn: '' },
    bad: { taskCpu: 300, redisShards: 0 },
    named: ['taskCpu', 'redisShards'],
    code: InfraErrorCode.InvalidConfig,
    label: 'syncbell:ecs',
  },
  {
    name: 'the API Gateway construct (resolveApiGwWebSocketConfig)',
    parse: (input: Record<string, unknown>) => resolveApiGwWebSocketConfig(input),
    empty: { alarmEmail: '', jwtSecretName: '' },
    bad: { memoryMiB: 64, handlerTimeoutSeconds: 30 },
    named: ['memoryMiB', 'handlerTimeoutSeconds'],
    code: InfraErrorCode.InvalidConfig,
    label: 'syncbell:apigw',
  },
];

describe.each(parsers)('the configuration of $name', ({ parse, empty, bad, named, code, label }) => {
  it('reads an empty string as unset: the default, not an error', () => {
    expect(parse(empty)).toEqual(parse({}));
  });

  it('names every bad setting in one error of its package’s code, one line each, under its label', () => {
    expect(() => parse(bad)).toThrow(withCode(code, ...named));
    try {
      parse(bad);
    } catch (error) {
      const lines = (error as Error).message.split('\n');
      expect(lines[0]).toBe(`${label}:`);
      for (const name of named)
        expect(lines.filter((line) => line.startsWith(`  - ${name}`))).toHaveLength(1);
      expect(lines.slice(1).every((line) => line.startsWith('  - '))).toBe(true);
    }
  });
});

describe('configMessage', () => {
  it('prints a label and one indented line per problem', () => {
    expect(configMessage('label', ['a: one', 'b: two'])).toBe('label:\n  - a: one\n  - b: two');
  });
});
