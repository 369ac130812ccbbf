import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, expect, expectTypeOf, it } from 'vitest';
import { localPublisherOptions, silentTelemetry } from '../../../apigw-websocket/local/publisher.js';
import type { ApiGwPublisherOptions } from '@syncbell/apigw/publisher';
import { type SyncbellApiGwOptions, SyncbellModule } from '@syncbell/nestjs/apigw';
import { type ApigwHarness, createApigwHarness } from '../../apigw-websocket/support/harness.js';
import { connectRecorder, type RecordingClient } from '../../support/recorder.js';
import { SyncJobs } from '../support/app.js';

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

it('takes the options createApiGwPublisher takes, its own type (checked by tsc)', () => {
  // Not re-declared in @syncbell/nestjs: the apigw entry uses @syncbell/apigw's type, so the two cannot drift.
  expectTypeOf<SyncbellApiGwOptions['apigw']>().toEqualTypeOf<ApiGwPublisherOptions>();
});
