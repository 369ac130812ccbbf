import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { SyncbellIoAdapter } from '@syncbell/nestjs/socketio';
import { AppModule } from './app.module.js';
import { loadConfig } from './config.js';

const config = loadConfig();

if (config.role === 'web') {
  const app = await NestFactory.create(AppModule.forRole('web'));
  app.useWebSocketAdapter(new SyncbellIoAdapter(app));
  app.enableShutdownHooks();
  await app.listen(config.port);
  console.log(`${config.instanceId} listening on ${await app.getUrl()}`);
} else {
  // No HTTP server: the worker only takes jobs and publishes.
  const app = await NestFactory.createApplicationContext(AppModule.forRole('worker'));
  app.enableShutdownHooks();
  console.log(`${config.instanceId} running calendar syncs`);
}
process.send?.({ type: 'ready', role: config.role });
