import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { localPublisherOptions, silentTelemetry } from '../apigw-websocket/local/publisher.js';
import { type EcsLocalStack, startEcsLocal } from '../ecs-socketio/local/stack.js';
import { signToken } from '../shared/server/auth/index.js';
import { socketIoTransport } from '../shared/client/transports/socketio.js';
import { type ApigwHarness, createApigwHarness } from './apigw-websocket/support/harness.js';
import { uniqueUser } from './support/unique-user.js';
import { TEST_JWT_KEY } from './ecs-socketio/support/harness.js';
import { readmeExample, runExample } from './support/readme.js';
import { type RecordingClient, recordingClient } from './support/recorder.js';

// Runs docs/PUBLISHING.md's examples as written, with one change each: the user
// is a fresh one, and (API Gateway) the options point at the local stack instead of a deployed one.
const clients: RecordingClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

/** The socket.io publish route's key (`PUBLISH_API_KEYS` of the ECS stack). */
const PUBLISH_KEY = 'k'.repeat(40);
// One local stack per variant for the whole file, shared by its examples (each uses a fresh
// user): starting each twice cost a container start and a serverless-offline start per run.
let stack: EcsLocalStack;
let harness: ApigwHarness;
beforeAll(async () => {
  stack = await startEcsLocal({ containers: 2, worker: false, env: { PUBLISH_API_KEYS: PUBLISH_KEY } });
  harness = await createApigwHarness();
}, 240_000);
afterAll(async () => {
  await Promise.all([stack?.stop(), harness?.stop()]);
});

async function connected(options: Parameters<typeof recordingClient>[0]): Promise<RecordingClient> {
  const recorder = recordingClient(options);
  clients.push(recorder);
  const resumed = recorder.nextResume();
  recorder.client.connect();
  await resumed;
  return recorder;
}

it('runs the socket.io publisher example: the connected user gets the notification it logged', async () => {
  const code = readmeExample('socketio-publisher');
  expect(code).toContain("userId: 'alice'");
  const userId = uniqueUser('readme');
  const recorder = await connected({
    transport: socketIoTransport(),
    url: stack.url,
    token: await signToken({ userId, key: TEST_JWT_KEY }),
  });
  const previousUrl = process.env.REDIS_URL;
  process.env.REDIS_URL = stack.redisUrl;
  const { logged } = await runExample(
    'socketio',
    code.replace("userId: 'alice'", `userId: '${userId}'`),
  ).finally(() => {
    // Assigning undefined would leave the string 'undefined' in the environment.
    if (previousUrl === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = previousUrl;
  });
  await recorder.waitForCount(1);
  expect(recorder.received[0]?.notification).toMatchObject({
    userId,
    type: 'sync.complete',
    jobId: 'calendar-sync-42',
    data: { calendar: 'primary' },
  });
  expect(logged).toEqual([[recorder.received[0]?.notification.id, false]]);
});

it('runs the API Gateway publisher example: the connected user gets the notification it logged', async () => {
  const code = readmeExample('apigw-publisher');
  const options = /createApiGwPublisher\((\{[\s\S]*?\})\)/.exec(code);
  expect(options?.[1]).toMatch(/managementEndpoint: '[^']+'/);
  try {
    const { userId, recorder } = await connectedToApigw(harness);
    (globalThis as Record<string, unknown>).__readmeApigwOptions = {
      ...localPublisherOptions(harness.stack),
      telemetry: silentTelemetry(),
    };
    const local = code
      .replace(options?.[1] ?? '', '(globalThis as any).__readmeApigwOptions')
      .replace("userId: 'alice'", `userId: '${userId}'`);
    const { logged } = await runExample('apigw', local);
    await recorder.waitForCount(1);
    expect(recorder.received[0]?.notification).toMatchObject({ userId, jobId: 'calendar-sync-42' });
    expect(logged).toEqual([[recorder.received[0]?.notification.id, false]]);
  } finally {
    delete (globalThis as Record<string, unknown>).__readmeApigwOptions;
  }
});

/** Runs a docs/PUBLISHING.md shell example with bash; its stdout. */
/** A fresh user with one SDK client connected (and resumed) to the local API Gateway stack. */
async function connectedToApigw(
  harness: ApigwHarness,
): Promise<{ userId: string; recorder: RecordingClient }> {
  const userId = uniqueUser('readme');
  const recorder = await connected({
    transport: harness.transport(),
    url: harness.url,
    token: await harness.token(userId),
  });
  return { userId, recorder };
}

async function runShellExample(code: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', code], {
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
  return stdout;
}

it('signs the publish route example with SigV4 for execute-api in the URL’s region', async () => {
  const code = readmeExample('apigw-publish-route', 'sh');
  const seen: { headers: IncomingHttpHeaders; path: string | undefined; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ headers: req.headers, path: req.url, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"x","duplicate":false}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const url = /'(https:\/\/[^']+\/v1\/publish)'/.exec(code)?.[1] ?? '';
    expect(url).toMatch(/execute-api\.eu-west-1\.amazonaws\.com/);
    await runShellExample(code.replace(url, `http://127.0.0.1:${port}/v1/publish`), {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    });
    expect(seen[0]?.path).toBe('/v1/publish');
    expect(seen[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=\S*host\S*, Signature=[0-9a-f]{64}$/,
    );
    expect(JSON.parse(seen[0]?.body ?? '')).toMatchObject({ userId: 'alice', jobId: 'calendar-sync-42' });
  } finally {
    server.close();
  }
});

it('runs the publish route example against the local stack (its API key instead of SigV4): the user gets it', async () => {
  const code = readmeExample('apigw-publish-route', 'sh');
  const { userId, recorder } = await connectedToApigw(harness);
  const url = /'(https:\/\/[^']+\/v1\/publish)'/.exec(code)?.[1] ?? '';
  const local = code
    .replace(url, harness.stack.publishUrl)
    .replace(/ *--aws-sigv4 .*\n *--user .*\n/, `  -H "x-api-key: $PUBLISH_API_KEY" \\\n`)
    .replace('"userId":"alice"', `"userId":"${userId}"`);
  expect(local).not.toContain('--aws-sigv4');
  const answer = JSON.parse(await runShellExample(local, { PUBLISH_API_KEY: harness.stack.publishApiKey }));
  await recorder.waitForCount(1);
  expect(recorder.received[0]?.notification).toMatchObject({
    id: answer.id,
    userId,
    type: 'sync.complete',
    jobId: 'calendar-sync-42',
    data: { calendar: 'primary' },
  });
  expect(answer.duplicate).toBe(false);
});

it('runs the socket.io publish route example against the local stack: the user gets it, a user token is refused', async () => {
  const code = readmeExample('socketio-publish-route', 'sh');
  const userId = uniqueUser('readme');
  const token = await signToken({ userId, key: TEST_JWT_KEY });
  const recorder = await connected({ transport: socketIoTransport(), url: stack.url, token });
  const local = code
    .replace('https://notify.example.com', stack.url)
    .replace('"userId":"alice"', `"userId":"${userId}"`);
  expect(local).not.toContain('example.com');
  const answer = JSON.parse(await runShellExample(local, { SYNCBELL_PUBLISH_KEY: PUBLISH_KEY }));
  await recorder.waitForCount(1);
  expect(recorder.received[0]?.notification).toMatchObject({
    id: answer.id,
    userId,
    jobId: 'calendar-sync-42',
  });
  expect(answer).toEqual({ id: expect.any(String), duplicate: false });
  // The end user's token in place of the key: refused, and nothing is published.
  await expect(
    runShellExample(local.replace('-sS', '-sS --fail'), { SYNCBELL_PUBLISH_KEY: token }),
  ).rejects.toThrow();
});
