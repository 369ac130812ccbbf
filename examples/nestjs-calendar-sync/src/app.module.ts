import { BullModule } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import { SyncbellModule } from '@syncbell/nestjs/socketio';
import type { Redis } from 'ioredis';
import { CalendarSyncController } from './calendar-sync.controller.js';
import { CalendarSyncProcessor } from './calendar-sync.processor.js';
import { CALENDAR_SYNC_QUEUE } from './calendar-sync.queue.js';
import { APP_CONFIG, type AppConfig } from './config.js';
import { PageController } from './page.controller.js';
import { REDIS, RedisModule } from './redis.module.js';

/** One image, two roles (two ECS services): `web` takes requests and holds sockets, `worker` runs syncs. */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with static factories
export class AppModule {
  static forRole(role: AppConfig['role']): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RedisModule,
        SyncbellModule.forRootAsync({
          // serverId: what resume answers name as `servedBy` (the page shows it).
          useFactory: (redis: Redis, config: AppConfig) => ({ redis, serverId: config.instanceId }),
          inject: [REDIS, APP_CONFIG],
        }),
        // BullMQ opens and closes its own connections (its workers block on theirs).
        BullModule.forRootAsync({
          useFactory: (config: AppConfig) => ({
            connection: { url: config.redisUrl, password: config.redisAuthToken },
          }),
          inject: [APP_CONFIG],
        }),
        BullModule.registerQueue({ name: CALENDAR_SYNC_QUEUE }),
      ],
      controllers: role === 'web' ? [CalendarSyncController, PageController] : [],
      providers: role === 'worker' ? [CalendarSyncProcessor] : [],
    };
  }
}
