import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PackedPackage, packWorkspaces, publicWorkspaces, REPO_ROOT } from '../../cli/pack.js';
import { stopChild } from '../../dev-tools/index.js';
import { NestErrorCode } from '@syncbell/nestjs';
import { describeUserApp, USER_APP_FILES, USER_APP_FIXTURE } from '../infra/support/user-app.js';
import { installOffline } from './support/offline-install.js';

/**
 * syncbell as a user gets it: every public package packed (`syncbell pack`), the tarballs
 * installed into an empty project outside the repository (offline, from npm's cache), and used
 * there by plain `node` (no tsx, no repository node_modules), by `tsc` against the published
 * `.d.ts` files, and by the user-style CDK app (test/fixtures/user-cdk-app, copied in). Three
 * smaller projects hold what narrower apps install: a socket.io-only Nest app on node-redis (no
 * @syncbell/apigw, no CDK, no ioredis), an API-Gateway-only Nest app, type-checked and run (no
 * @syncbell/socketio, no socket.io), and a socket.io server on ioredis alone (no node-redis). Each is installed once and
 * used by every case it can serve (the Nest socket.io project is also the node-redis-only one).
 */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const JWT_SECRET = 'pack-install-secret-pack-install-secret-0123';
/** A child's environment: nothing of the test runner's (no NODE_OPTIONS, no loaders). */
const childEnv = { PATH: process.env.PATH ?? '', REDIS_URL, JWT_SECRET };

const base = mkdtempSync(join(tmpdir(), 'syncbell-pack-install-'));
const app = join(base, 'app');
/** A socket.io-only Nest app on node-redis: no @syncbell/apigw, no ioredis. */
const socketIoOnly = join(base, 'socketio-only');
/** An API-Gateway-only Nest app: no @syncbell/socketio, no socket.io. */
const apigwOnly = join(base, 'apigw-only');
/**
 * One project per Redis client, `@syncbell/socketio` with only that one installed (both are
 * optional peers): node-redis's is the socket.io-only Nest project, which has no ioredis.
 */
const oneClient = { ioredis: join(base, 'ioredis-only'), redis: socketIoOnly } as const;
let packed: PackedPackage[] = [];
const children: ChildProcess[] = [];

const FILES: Record<string, string> = {
  // A plain Node HTTP server with its own socket.io Server, syncbell attached with node-redis.
  'server.mjs': `
import { createServer } from 'node:http';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { attachSyncbell, syncbellAdapter } from '@syncbell/socketio';

const redis = createClient({ url: process.env.REDIS_URL });
const subscriber = redis.duplicate();
await Promise.all([redis.connect(), subscriber.connect()]);
const httpServer = createServer((request, response) => response.writeHead(404).end());
const io = new Server(httpServer, { adapter: syncbellAdapter({ pub: redis, sub: subscriber }) });
const syncbell = attachSyncbell(io, { jwtKey: process.env.JWT_SECRET, redis, subscriber });
httpServer.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: httpServer.address().port })));
process.on('SIGTERM', async () => {
  await syncbell.close();
  io.close();
  await Promise.all([redis.close(), subscriber.close()]);
  process.exit(0);
});
`,
  // syncbell attached and a notification published with whichever client is installed (the other is
  // not): the library wraps the client it is given and never imports the other.
  'one-client.mjs': `
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { attachSyncbell, createSocketIoPublisher, syncbellAdapter } from '@syncbell/socketio';

const [clientName, userId] = process.argv.slice(2);
let redis;
if (clientName === 'ioredis') {
  const { Redis } = await import('ioredis');
  redis = new Redis(process.env.REDIS_URL);
} else {
  const { createClient } = await import('redis');
  redis = createClient({ url: process.env.REDIS_URL });
}
const subscriber = redis.duplicate();
if (clientName === 'redis') await Promise.all([redis.connect(), subscriber.connect()]);
const httpServer = createServer((request, response) => response.writeHead(404).end());
const io = new Server(httpServer, { adapter: syncbellAdapter({ pub: redis, sub: subscriber }) });
const syncbell = attachSyncbell(io, { jwtKey: process.env.JWT_SECRET, redis, subscriber });
await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
const published = await createSocketIoPublisher({ redis }).publish({ userId, type: 'sync.complete', jobId: 'one-client-1' });
// Every entry after the smallest id: the log as the publisher wrote it.
const { notifications } = await syncbell.replayLog.read(userId, '0');
const loaded = Object.keys(createRequire(import.meta.url).cache);
const other = clientName === 'ioredis' ? 'redis' : 'ioredis';
await syncbell.close();
io.close();
await Promise.all([redis.quit(), subscriber.quit()]);
console.log(JSON.stringify({
  duplicate: published.duplicate,
  logged: notifications.map((notification) => notification.jobId),
  otherInstalled: existsSync(new URL('./node_modules/' + other, import.meta.url)),
  otherLoaded: loaded.some((file) => file.includes('/node_modules/' + other + '/')),
}));
process.exit(0);
`,
  // The browser SDK's socket.io entry, run in Node.
  'client.mjs': `
import { signToken } from '@syncbell/server';
import { createClient, socketIoTransport } from '@syncbell/client/socketio';

const [url, userId] = process.argv.slice(2);
const key = new TextEncoder().encode(process.env.JWT_SECRET);
const client = createClient({ transport: socketIoTransport(), url, token: () => signToken({ userId, key }) });
client.on('resumed', ({ replayed }) => console.log(JSON.stringify({ resumed: replayed })));
client.on('error', (error) => console.log(JSON.stringify({ error: error.message })));
client.on('sync.complete', ({ notification, meta }) => {
  console.log(JSON.stringify({ notification, replayed: meta.replayed }));
  client.close();
});
`,
  // A backend job in its own process: the publisher alone, no socket.io server.
  'publish.mjs': `
import { createClient } from 'redis';
import { createSocketIoPublisher } from '@syncbell/socketio';

const [userId, jobId] = process.argv.slice(2);
const redis = createClient({ url: process.env.REDIS_URL });
await redis.connect();
const publisher = createSocketIoPublisher({ redis });
const result = await publisher.publish({ userId, type: 'sync.complete', jobId, data: { calendar: 'primary' } });
console.log(JSON.stringify(result));
await redis.close();
`,
  // The API Gateway handlers, each from its own entry, as a Lambda runtime would load them.
  'apigw.mjs': `
import { readdirSync } from 'node:fs';
import * as apigw from '@syncbell/apigw';
import { handler as connect } from '@syncbell/apigw/handlers/connect';

const folder = new URL('./node_modules/@syncbell/apigw/dist/handlers/', import.meta.url);
const handlers = {};
for (const file of readdirSync(folder).filter((name) => name.endsWith('.js'))) {
  const name = file.slice(0, -3);
  handlers[name] = typeof (await import(\`@syncbell/apigw/handlers/\${name}\`)).handler;
}
// $connect without a token is refused before any AWS call: the handler really runs.
const refused = await connect({ requestContext: { connectionId: 'c-1', routeKey: '$connect' } });
console.log(JSON.stringify({ exports: Object.keys(apigw), handlers, refused }));
`,
  // A consumer's TypeScript, checked against the published .d.ts files.
  'consumer.ts': `
import { createClient as createRedis } from 'redis';
import { Server } from 'socket.io';
import { createClient, socketIoTransport, type SyncbellClient } from '@syncbell/client/socketio';
import { apigwTransport } from '@syncbell/client/apigw';
import { CloseCode, type Notification } from '@syncbell/contract';
import { type Publisher, signToken } from '@syncbell/server';
import { attachSyncbell, createSocketIoPublisher, syncbellAdapter } from '@syncbell/socketio';
import { createApiGwPublisher } from '@syncbell/apigw';
import { handler } from '@syncbell/apigw/handlers/connect';
import { SyncbellSocketIoService, SyncbellWebSocketApi } from '@syncbell/cdk';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';

const redis = createRedis({ url: 'redis://127.0.0.1:6379' });
const subscriber = redis.duplicate();
const io = new Server({ adapter: syncbellAdapter({ pub: redis, sub: subscriber }) });
attachSyncbell(io, { jwtKey: 'x'.repeat(32), redis, subscriber });

const publishers: Publisher[] = [
  createSocketIoPublisher({ redis }),
  createApiGwPublisher({
    managementEndpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
    connectionsTable: 'connections',
    notificationsTable: 'notifications',
    region: 'eu-west-1',
  }),
];
export async function notify(userId: string): Promise<string> {
  const { id } = await publishers[0]!.publish({ userId, type: 'sync.complete', jobId: 'job-1' });
  // @ts-expect-error: the publisher's input is typed (an unknown notification type is refused)
  await publishers[0]!.publish({ userId, type: 'no.such.type', jobId: 'job-2' });
  return id;
}

const client: SyncbellClient = createClient({
  transport: socketIoTransport(),
  url: 'https://notify.example.com',
  token: () => signToken({ userId: 'alice', key: new TextEncoder().encode('x'.repeat(32)) }),
});
client.on('sync.complete', ({ notification }: { notification: Notification }) => notification.jobId);
export const other = apigwTransport();
export const code: number = CloseCode.GoingAway;
export const lambda: (event: unknown) => Promise<unknown> = handler;

// @syncbell/cdk's two constructs in a user's stack.
const stack = new Stack(new App(), 'Consumer');
const vpc = new ec2.Vpc(stack, 'Vpc');
const service = new SyncbellSocketIoService(stack, 'Notifications', {
  vpc,
  image: ecs.ContainerImage.fromRegistry('example/calendar-api'),
  workerCount: 0,
});
export const url: string | undefined = service.url;
// @ts-expect-error: the props are typed (a count is a number)
new SyncbellSocketIoService(stack, 'Typo', { vpc, desiredCount: 'two' });
new SyncbellWebSocketApi(stack, 'WebSocket', { stageName: 'live' }).grantPublish(
  new iam.Role(stack, 'Backend', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') }),
);
`,
  // A socket.io Nest app's module options, type-checked here and in the socket.io-only project.
  'nest-socketio.ts': `
import type { DynamicModule } from '@nestjs/common';
import { SyncbellModule, type SyncbellModuleOptions } from '@syncbell/nestjs/socketio';
import { createClient } from 'redis';

const options: SyncbellModuleOptions = { redis: createClient(), adapter: 'sharded', replay: { maxLen: 100 } };
export const module: DynamicModule = SyncbellModule.forRoot(options);
// @ts-expect-error: the options are typed (an unknown adapter is refused)
SyncbellModule.forRoot({ redis: createClient(), adapter: 'no-such-adapter' });
`,
  // An API Gateway Nest app's module options, type-checked here and in the API-Gateway-only project.
  'nest-apigw.ts': `
import type { DynamicModule } from '@nestjs/common';
import { SyncbellPublisher } from '@syncbell/nestjs';
import { type SyncbellApiGwOptions, SyncbellModule } from '@syncbell/nestjs/apigw';

const options: SyncbellApiGwOptions = {
  apigw: { managementEndpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com/live', region: 'eu-west-1' },
};
export const module: DynamicModule = SyncbellModule.forRoot({ variant: 'apigw', ...options });
export const configured: DynamicModule = SyncbellModule.forRootAsync({ variant: 'apigw', useFactory: () => options });
// @ts-expect-error: the options are @syncbell/apigw's, typed (a concurrency is a number)
SyncbellModule.forRoot({ variant: 'apigw', apigw: { managementEndpoint: 'https://x', notifyConcurrency: 'ten' } });
export const publisher: typeof SyncbellPublisher = SyncbellPublisher;
`,
  // An API Gateway Nest app run in the API-Gateway-only project (no socket.io, no @nestjs/websockets
  // installed there): the module's publisher injected into a service, and the socket.io variant
  // refused without its entry. Made, not used: no network.
  'nest-apigw.mjs': `
import 'reflect-metadata';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SyncbellModule as FromMain } from '@syncbell/nestjs';
import { SyncbellModule, SyncbellPublisher } from '@syncbell/nestjs/apigw';

class SyncJobs {
  constructor(notifications) {
    this.notifications = notifications;
  }
}
Inject(SyncbellPublisher)(SyncJobs, undefined, 0);
Injectable()(SyncJobs);
class AppModule {}
const apigw = { managementEndpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com/live', region: 'eu-west-1' };
Module({ imports: [SyncbellModule.forRoot({ variant: 'apigw', apigw })], providers: [SyncJobs] })(AppModule);
const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
const { notifications } = app.get(SyncJobs);
const result = {
  sameModule: FromMain === SyncbellModule,
  injected: notifications === app.get(SyncbellPublisher) && typeof notifications.publish,
};
await app.close();
try {
  SyncbellModule.forRoot({ redis: {} });
} catch (error) {
  result.socketio = { code: error.code, message: error.message };
}
console.log(JSON.stringify(result));
`,
  // Without an image, @syncbell/cdk would build syncbell's own, which needs a checkout: refused, saying why.
  'cdk-image.mjs': `
import { SyncbellSocketIoService } from '@syncbell/cdk';
import { App, Stack } from 'aws-cdk-lib';

const stack = new Stack(new App(), 'NoImage');
try {
  new SyncbellSocketIoService(stack, 'Notifications', {});
  console.log(JSON.stringify({ built: true }));
} catch (error) {
  console.log(JSON.stringify({ error: error.message }));
}
`,
  // A Nest app from the compiled @syncbell/nestjs, decorators applied as calls (plain .mjs has
  // none): the module's gateway and adapter as tsc emitted them, a client, the injected publisher.
  'nest.mjs': `
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SyncbellIoAdapter, SyncbellModule, SyncbellPublisher } from '@syncbell/nestjs/socketio';
import { createClient, socketIoTransport } from '@syncbell/client/socketio';
import { signToken } from '@syncbell/server';
import { createClient as createRedis } from 'redis';

class AppModule {}
Module({ imports: [SyncbellModule.forRoot({ redis: createRedis({ url: process.env.REDIS_URL }) })] })(AppModule);
const app = await NestFactory.create(AppModule, { logger: false });
app.useWebSocketAdapter(new SyncbellIoAdapter(app));
await app.listen(0, '127.0.0.1');
const userId = 'pack-nest-' + process.pid;
const key = new TextEncoder().encode(process.env.JWT_SECRET);
const client = createClient({
  transport: socketIoTransport(),
  url: 'http://127.0.0.1:' + app.getHttpServer().address().port + '/syncbell',
  token: () => signToken({ userId, key }),
});
await new Promise((resolve) => client.on('resumed', resolve));
const received = new Promise((resolve) => client.on('sync.complete', ({ notification }) => resolve(notification)));
await app.get(SyncbellPublisher).publish({ userId, type: 'sync.complete', jobId: 'nest-job-1' });
const notification = await received;
client.close();
await app.close();
console.log(JSON.stringify({ userId, received: { userId: notification.userId, jobId: notification.jobId } }));
process.exit(0);
`,
  // Both Nest variants in one program, as an app that switches by configuration has them.
  'tsconfig.json': tsconfig(['consumer.ts', 'nest-socketio.ts', 'nest-apigw.ts']),
};

/**
 * A consumer's tsconfig: strict, and the published .d.ts files checked too (`skipLibCheck: false`).
 * TypeScript's own lib files (lib.dom.d.ts and the like) are left unchecked (`skipDefaultLibCheck`):
 * they are not syncbell's, and each of the three checks re-checked them.
 */
function tsconfig(files: string[]): string {
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2023', 'DOM'],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      skipDefaultLibCheck: true,
      types: ['node'],
    },
    files,
  });
}

/** Reads a child's stdout as JSON lines; `next` waits for the first line `match` accepts. */
function jsonLines(child: ChildProcess) {
  const seen: unknown[] = [];
  const waiters: { match: (line: Record<string, unknown>) => boolean; resolve: (line: never) => void }[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    seen.push(line);
    for (const waiter of waiters.filter((w) => w.match(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line as never);
    }
  });
  return {
    next<T extends Record<string, unknown>>(match: (line: Record<string, unknown>) => boolean): Promise<T> {
      const earlier = seen.find((line) => match(line as Record<string, unknown>));
      if (earlier) return Promise.resolve(earlier as T);
      return new Promise<T>((resolve, reject) => {
        waiters.push({ match, resolve: resolve as (line: never) => void });
        child.on('exit', (code) =>
          reject(new Error(`process exited (${code}) before the line; stderr:\n${stderr}`)),
        );
      });
    },
  };
}

function startNode(args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: app, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

const runNode = (args: string[]) =>
  promisify(execFile)(process.execPath, args, { cwd: app, env: childEnv, timeout: 30_000 });

/** What every Nest app installs. */
const NEST = ['@nestjs/common', '@nestjs/core', 'reflect-metadata', 'rxjs'];
/** What a Nest app on socket.io installs. */
const NEST_SOCKETIO = [...NEST, 'redis', 'socket.io', '@nestjs/platform-socket.io', '@nestjs/websockets'];
/** The packed packages by name. */
const only = (...names: string[]) => packed.filter(({ name }) => names.includes(name));
// What @syncbell/nestjs's README asks of a Nest app: one socket.io, not Nest's pinned copy too.
const overrides = { '@nestjs/platform-socket.io': { 'socket.io': '$socket.io' } };

beforeAll(async () => {
  const started = Date.now();
  packed = await packWorkspaces({ outDir: join(base, 'pack') });
  const packedMs = Date.now() - started;
  // Every project at once: npm ci mostly waits on the disk.
  await Promise.all([
    installOffline({
      dir: app,
      packed,
      dependencies: [
        ...NEST_SOCKETIO,
        'socket.io-client',
        '@nestjs/platform-express',
        // What a CDK user has beside @syncbell/cdk (esbuild bundles the Lambda handlers).
        'aws-cdk-lib',
        'constructs',
        'cdk-nag',
        'esbuild',
      ],
      devDependencies: ['@types/node'],
      overrides,
    }),
    installOffline({
      dir: socketIoOnly,
      packed: only('@syncbell/contract', '@syncbell/server', '@syncbell/socketio', '@syncbell/nestjs'),
      dependencies: NEST_SOCKETIO,
      devDependencies: ['@types/node'],
      overrides,
    }),
    installOffline({
      dir: apigwOnly,
      packed: only('@syncbell/contract', '@syncbell/server', '@syncbell/apigw', '@syncbell/nestjs'),
      dependencies: NEST,
      devDependencies: ['@types/node'],
    }),
    installOffline({
      dir: oneClient.ioredis,
      packed: only('@syncbell/contract', '@syncbell/server', '@syncbell/socketio'),
      dependencies: ['ioredis', 'socket.io'],
      devDependencies: ['@types/node'],
    }),
  ]);
  for (const [file, content] of Object.entries(FILES)) writeFileSync(join(app, file), content);
  for (const file of USER_APP_FILES)
    cpSync(join(USER_APP_FIXTURE, file), join(app, file), { recursive: true });
  for (const [dir, file] of [
    [socketIoOnly, 'nest-socketio.ts'],
    [apigwOnly, 'nest-apigw.ts'],
  ] as const) {
    writeFileSync(join(dir, file), FILES[file] as string);
    writeFileSync(join(dir, 'tsconfig.json'), tsconfig([file]));
  }
  writeFileSync(join(apigwOnly, 'nest-apigw.mjs'), FILES['nest-apigw.mjs'] as string);
  for (const dir of Object.values(oneClient))
    writeFileSync(join(dir, 'one-client.mjs'), FILES['one-client.mjs'] as string);
  // On an idle 2-core machine: about 10 s to pack (tsc over every package, npm pack), 10 s to
  // install; far more when other suites share the cores.
  console.log(`pack-install: packed in ${packedMs} ms, installed in ${Date.now() - started - packedMs} ms`);
  // Four projects; packing alone took 140 s on the shared 2-core machine at load 25, so the bound
  // is generous: a hang still fails, a busy machine does not.
}, 420_000);

afterAll(async () => {
  await Promise.all(children.map((child) => stopChild(child)));
  rmSync(base, { recursive: true, force: true });
});

describe('the packed packages, installed into an empty project', () => {
  it('packs every public workspace, and ships compiled files only', () => {
    expect(packed.map(({ name }) => name).sort()).toEqual(
      publicWorkspaces()
        .map(({ manifest }) => manifest.name)
        .sort(),
    );
    const shipped = packed.flatMap(({ stageDir }) =>
      readdirSync(stageDir, { recursive: true, encoding: 'utf8' }).filter((file) => /\.[a-z]+$/.test(file)),
    );
    expect(shipped.filter((file) => /\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
    expect(shipped.filter((file) => /(^|\/)(local|test)\/|\.test\.|serverless\.yml/.test(file))).toEqual([]);
  });

  it('serves a client from a plain HTTP server with syncbell attached, and delivers what another process publishes', async () => {
    const server = startNode(['server.mjs']);
    const { port } = await jsonLines(server).next<{ port: number }>((line) => 'port' in line);

    const userId = `pack-${process.pid}-${Date.now()}`;
    const client = startNode(['client.mjs', `http://127.0.0.1:${port}`, userId]);
    const clientLines = jsonLines(client);
    await clientLines.next((line) => 'resumed' in line);

    const { stdout } = await runNode(['publish.mjs', userId, 'calendar-sync-1']);
    const published = JSON.parse(stdout) as { id: string; duplicate: boolean };
    expect(published.duplicate).toBe(false);

    const received = await clientLines.next<{ notification: { id: string; jobId: string; userId: string } }>(
      (line) => 'notification' in line,
    );
    expect(received.notification).toMatchObject({ id: published.id, jobId: 'calendar-sync-1', userId });
    expect(received).toMatchObject({ replayed: false });

    await stopChild(server, 'SIGTERM');
    expect(server.exitCode).toBe(0);
  }, 180_000);

  it.each(Object.keys(oneClient) as (keyof typeof oneClient)[])(
    'attaches and publishes with only %s installed, never loading the other client',
    async (client) => {
      const userId = `pack-${client}-${process.pid}-${Date.now()}`;
      const { stdout } = await promisify(execFile)(process.execPath, ['one-client.mjs', client, userId], {
        cwd: oneClient[client],
        env: childEnv,
        timeout: 60_000,
      });
      expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({
        duplicate: false,
        logged: ['one-client-1'],
        otherInstalled: false,
        otherLoaded: false,
      });
    },
    90_000,
  );

  it('runs a Nest app on the compiled @syncbell/nestjs: its publisher reaches a client on its gateway', async () => {
    const { stdout } = await runNode(['nest.mjs']);
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as {
      userId: string;
      received: { userId: string; jobId: string };
    };
    expect(result.received).toEqual({ userId: result.userId, jobId: 'nest-job-1' });
  });

  it('loads the API Gateway handlers in a clean node process, and a handler answers', async () => {
    const { stdout } = await runNode(['apigw.mjs']);
    // The handler's own structured log lines come first; the script's result is the last line.
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as {
      exports: string[];
      handlers: Record<string, string>;
      refused: { statusCode: number };
    };
    expect(result.exports).toEqual(expect.arrayContaining(['createConnectHandler', 'createApiGwPublisher']));
    expect(Object.keys(result.handlers)).toEqual(
      expect.arrayContaining(['connect', 'disconnect', 'default']),
    );
    expect(Object.values(result.handlers).every((kind) => kind === 'function')).toBe(true);
    expect(result.refused.statusCode).toBe(401);
  });

  it('type-checks a consumer against the published .d.ts files', async () => {
    expect(await typeCheck(app)).toBe('');
  }, 120_000);

  it('type-checks a socket.io-only Nest app, with no @syncbell/apigw installed', async () => {
    expect(existsSync(join(socketIoOnly, 'node_modules/@syncbell/apigw'))).toBe(false);
    expect(await typeCheck(socketIoOnly)).toBe('');
  }, 120_000);

  it('type-checks an API-Gateway-only Nest app, with no @syncbell/socketio or socket.io installed', async () => {
    for (const absent of ['@syncbell/socketio', 'socket.io', '@nestjs/websockets'])
      expect(existsSync(join(apigwOnly, 'node_modules', absent)), absent).toBe(false);
    expect(await typeCheck(apigwOnly)).toBe('');
  }, 120_000);

  it('runs an API-Gateway-only Nest app: the installed module loads and injects its publisher without socket.io', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['nest-apigw.mjs'], {
      cwd: apigwOnly,
      env: childEnv,
      timeout: 60_000,
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({
      sameModule: true,
      injected: 'function',
      socketio: {
        code: NestErrorCode.InvalidSetup,
        message: expect.stringContaining("import SyncbellModule from '@syncbell/nestjs/socketio'"),
      },
    });
    // The entry that registers on import is declared as having a side effect, as published.
    const manifest = JSON.parse(
      readFileSync(join(apigwOnly, 'node_modules/@syncbell/nestjs/package.json'), 'utf8'),
    ) as { sideEffects: string[] };
    expect(manifest.sideEffects).toEqual(['./dist/socketio.js']);
    expect(existsSync(join(apigwOnly, 'node_modules/@syncbell/nestjs/dist/socketio.js'))).toBe(true);
  });

  it('refuses, saying why, to build syncbell’s own image from the installed @syncbell/cdk', async () => {
    const { stdout } = await runNode(['cdk-image.mjs']);
    const { error } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { error?: string };
    expect(error).toContain('builds only from a syncbell checkout');
    expect(error).toContain('pass `image`');
  });
});

describeUserApp('the user’s CDK app on the installed @syncbell/cdk', {
  dir: () => app,
  // The compiled handlers the tarball ships, not the repository's sources.
  handlersDir: () => join(app, 'node_modules/@syncbell/apigw/dist/handlers'),
});

/** `tsc -p tsconfig.json` in `dir`: its diagnostics, or '' when it passes. */
async function typeCheck(dir: string): Promise<string> {
  const started = Date.now();
  const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.json'], {
    cwd: dir,
    env: childEnv,
    timeout: 120_000,
  }).then(
    () => '',
    (error: { stdout?: string; message: string }) => error.stdout || error.message,
  );
  console.log(`pack-install: tsc in ${dir} took ${Date.now() - started} ms`);
  return result;
}
