import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { socketIoTransport } from '@syncbell/client/socketio';
import { DEV_JWT_SECRET, signToken } from '../../shared/server/auth/index.js';
import { SYNCBELL_OPTIONS } from '@syncbell/nestjs';
import { connectRecorder, type RecordingClient } from '../support/recorder.js';

// Runs the package README's example as written, with one change: a free port instead of 3000.
const readme = readFileSync(new URL('../../nestjs/README.md', import.meta.url), 'utf8');
const marker = '<!-- readme-example:nestjs -->\n```ts\n';
const body = readme.slice(readme.indexOf(marker) + marker.length);
const example = body.slice(0, body.indexOf('\n```'));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const clients: RecordingClient[] = [];
let app: INestApplication | undefined;
afterAll(async () => {
  for (const client of clients) client.close();
  const redis = app?.get<{ redis: Redis }>(SYNCBELL_OPTIONS).redis;
  await app?.close();
  await redis?.quit();
});

it("runs the README's example: a service's publish reaches the user's browser", async () => {
  expect(readme).toContain(marker);
  expect(example).toContain('await app.listen(3000);');
  const file = `${repoRoot}.readme-example-nestjs-${process.pid}.ts`;
  writeFileSync(
    file,
    `${example.replace('app.listen(3000)', "app.listen(0, '127.0.0.1')")}\nexport { app };\n`,
  );
  let loaded: {
    app: INestApplication;
    CalendarSync: new (...args: never[]) => { finish(u: string, j: string): Promise<void> };
  };
  try {
    loaded = await import(pathToFileURL(file).href);
  } finally {
    unlinkSync(file);
  }
  app = loaded.app;
  const { port } = app.getHttpServer().address() as AddressInfo;
  const userId = `readme-${randomUUID()}`;
  const browser = await connectRecorder(
    {
      url: `http://127.0.0.1:${port}/syncbell`,
      transport: () => socketIoTransport(),
      token: (user) => signToken({ userId: user, key: new TextEncoder().encode(DEV_JWT_SECRET) }),
    },
    clients,
    userId,
  );

  const jobId = randomUUID();
  await app.get(loaded.CalendarSync).finish(userId, jobId);

  await browser.waitForCount(1);
  expect(browser.received[0]?.notification).toMatchObject({ userId, type: 'sync.complete', jobId });
});
