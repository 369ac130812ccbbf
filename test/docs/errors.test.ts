import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiGwErrorCode, ConnectionGoneError, NotifyInvokeError } from '../../apigw-websocket/src/errors.js';
import { EmitterSilentError, SocketIoErrorCode, TaskMetadataError } from '../../ecs-socketio/src/errors.js';
import { InfraConfigError, InfraErrorCode, MissingPartError } from '../../infra/lib/config.js';
import { NestErrorCode, SyncbellSetupError } from '../../nestjs/src/errors.js';
import {
  ClientErrorCode,
  ConfigError as ClientConfigError,
  ResumeTimeoutError,
} from '../../shared/client/errors.js';
import { ErrorCode, SyncbellError } from '../../shared/contract/index.js';
import {
  ConfigError as ServerConfigError,
  ServerErrorCode,
  UnreadableClaimError,
} from '../../shared/server/errors.js';
import { importExample, readmeExample } from '../support/readme.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const doc = read('docs/ERRORS.md');

/** Each package's table, the file it is in and the product sources that throw its errors. */
const tables = [
  { name: 'ErrorCode', table: ErrorCode, sources: [] as string[] },
  {
    name: 'ClientErrorCode',
    table: ClientErrorCode,
    sources: [
      'shared/client/option-checks.ts',
      'shared/client/position-store.ts',
      'shared/client/transports/apigw.ts',
      'shared/client/transports/socketio.ts',
    ],
  },
  {
    name: 'ServerErrorCode',
    table: ServerErrorCode,
    sources: [
      'shared/server/auth/tokens.ts',
      'ecs-socketio/src/attach/attach.ts',
      'apigw-websocket/src/clients.ts',
      'apigw-websocket/src/data/notifications.ts',
      'ecs-socketio/src/socketio-publisher.ts',
    ],
  },
  {
    name: 'SocketIoErrorCode',
    table: SocketIoErrorCode,
    sources: ['ecs-socketio/src/socketio-publisher.ts', 'ecs-socketio/container/deregistration-watch.ts'],
  },
  {
    name: 'ApiGwErrorCode',
    table: ApiGwErrorCode,
    sources: ['apigw-websocket/src/management/post.ts', 'apigw-websocket/src/handlers/jobs.ts'],
  },
  {
    name: 'InfraErrorCode',
    table: InfraErrorCode,
    sources: ['infra/lib/config.ts', 'infra/lib/apigw-websocket-stack.ts'],
  },
  {
    name: 'NestErrorCode',
    table: NestErrorCode,
    sources: ['nestjs/src/module.ts', 'nestjs/src/socketio-runtime.ts', 'nestjs/src/io-adapter.ts'],
  },
];

/** Every class of a local code, made as its package makes it. */
const localErrors: SyncbellError<string>[] = [
  new ClientConfigError('x'),
  new ResumeTimeoutError(1),
  new ServerConfigError('x'),
  new UnreadableClaimError('x'),
  new EmitterSilentError('x'),
  new TaskMetadataError('x'),
  new ConnectionGoneError('c'),
  new NotifyInvokeError('x'),
  new InfraConfigError('x'),
  new MissingPartError('x'),
  new SyncbellSetupError('x'),
];

/** The codes docs/ERRORS.md lists: the first cell of each table row, in backticks. */
const documented = [...doc.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]);

describe('the error registry (docs/ERRORS.md)', () => {
  const allCodes = tables.flatMap(({ table }) => Object.values(table) as string[]);

  it('documents every code of every package’s table, and no other', () => {
    expect([...documented].sort()).toEqual([...allCodes].sort());
  });

  it('has no code in two tables, and every local code is ERR_SYNCBELL_*', () => {
    expect(new Set(allCodes).size).toBe(allCodes.length);
    for (const { name, table } of tables.slice(1))
      for (const code of Object.values(table) as string[])
        expect(code, name).toMatch(/^ERR_SYNCBELL_[A-Z_]+$/);
  });

  it('gives every local code a SyncbellError class, with its code, name and cause', () => {
    const local = tables.slice(1).flatMap(({ table }) => Object.values(table) as string[]);
    expect(localErrors.map((error) => error.code).sort()).toEqual([...local].sort());
    for (const error of localErrors) {
      expect(error).toBeInstanceOf(SyncbellError);
      expect(error.name).not.toBe('Error');
      expect(doc).toContain(`\`${error.name}\``);
    }
    const cause = new Error('root');
    expect(new ServerConfigError('x', { cause }).cause).toBe(cause);
  });

  it('throws every local code from its package’s code', () => {
    for (const error of localErrors) {
      const table = tables.find(({ table }) => (Object.values(table) as string[]).includes(error.code));
      const thrownIn = table?.sources.filter((file) => read(file).includes(`new ${error.name}(`)) ?? [];
      expect(thrownIn, `${error.name} (${error.code})`).not.toEqual([]);
    }
  });

  it('raises every wire code somewhere in the product', () => {
    const product = [
      'shared/server/auth/authenticate.ts',
      'shared/server/auth/tokens.ts',
      'shared/server/publish/publisher.ts',
      'shared/contract/errors.ts',
      'shared/contract/protocol.ts',
      'shared/client/transports/apigw.ts',
      'ecs-socketio/src/attach/frame-budget.ts',
      'ecs-socketio/src/attach/attach.ts',
      'ecs-socketio/src/attach/connect-pacer.ts',
      'ecs-socketio/src/auth.ts',
      'ecs-socketio/container/http/publish-route.ts',
      'ecs-socketio/container/http/router.ts',
      'ecs-socketio/src/socketio-publisher.ts',
      'apigw-websocket/src/handlers/default.ts',
      'apigw-websocket/src/handlers/publish.ts',
    ]
      .map(read)
      .join('\n');
    for (const [key, code] of Object.entries(ErrorCode))
      expect(product.includes(`ErrorCode.${key}`) || product.includes(`Codes.${key}`), code).toBe(true);
  });

  it('runs the page’s example: codes caught from the client and the server', async () => {
    const { caught, expected } = await importExample('errors', readmeExample('errors'));
    expect(caught).toEqual(expected);
    expect(caught).toEqual([ClientErrorCode.InvalidOption, ServerErrorCode.InvalidConfig]);
  });
});
