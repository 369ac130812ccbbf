import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, expect, expectTypeOf, it } from 'vitest';
import { localPublisherOptions, silentTelemetry } from '../../apigw-websocket/local/publisher.js';
import type { ApiGwPublisherOptions } from '@syncbell/apigw/publisher';
import { type SyncbellApiGwPublisherOptions, SyncbellModule } from '@syncbell/nestjs';
import { type ApigwHarness, createApigwHarness } from '../apigw-websocket/support/harness.js';
import { connectRecorder, type RecordingClient } from '../support/recorder.js';
import { SyncJobs } from './support/app.js';

let harness: ApigwHarness;
let app: INestApplicationContext;
const clients: RecordingClient[] = [];

beforeAll(async () => {
  harness = await createApigwHarness();
  // The same service as on socket.io; only the module's configuration changes.
  @Module({
    imports: [
      SyncbellModule.forRoot({
        variant: 'apigw',
        apigw: { ...localPublisherOptions(harness.stack), telemetry: silentTelemetry() },
      }),
    ],
    providers: [SyncJobs],
  })
  class ApiGwAppModule {}
  app = await NestFactory.createApplicationContext(ApiGwAppModule, { logger: false, abortOnError: false });
}, 120_000);

afterAll(async () => {
  for (const client of clients) client.close();
  await app?.close();
  await harness?.stop();
});

it('publishes through API Gateway with the same injected publisher when the variant is apigw', async () => {
  const userId = `nest-${randomUUID()}`;
  const browser = await connectRecorder(harness, clients, userId);
  const jobId = randomUUID();

  const receipt = await app.get(SyncJobs).finish(userId, jobId);
  const retried = await app.get(SyncJobs).finish(userId, jobId);

  await browser.waitForCount(1);
  expect(browser.received[0]?.notification).toMatchObject({ userId, type: 'sync.complete', jobId });
  expect(retried).toEqual({ id: receipt.id, duplicate: true });
});

it('takes the options createApiGwPublisher takes, under the same names and types (checked by tsc)', () => {
  // Declared apart in @syncbell/nestjs so a socket.io-only app's types need no @syncbell/apigw;
  // the AWS clients there are plain objects, the rest must match field for field.
  type Clients = 'credentials' | 'ddb' | 'management' | 'telemetry';
  expectTypeOf<keyof SyncbellApiGwPublisherOptions>().toEqualTypeOf<keyof ApiGwPublisherOptions>();
  expectTypeOf<ApiGwPublisherOptions>().toExtend<SyncbellApiGwPublisherOptions>();
  expectTypeOf<Omit<SyncbellApiGwPublisherOptions, Clients>>().toEqualTypeOf<
    Omit<ApiGwPublisherOptions, Clients>
  >();
});
