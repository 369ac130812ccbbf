import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig, loadConfig } from './config.js';

/** The app's Redis client: syncbell publishes on it (and its adapter subscribes on a duplicate). */
export const REDIS = Symbol('redis');

class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  providers: [
    { provide: APP_CONFIG, useFactory: () => loadConfig() },
    {
      provide: REDIS,
      useFactory: (config: AppConfig) =>
        new Redis(config.redisUrl, { password: config.redisAuthToken, maxRetriesPerRequest: null }),
      inject: [APP_CONFIG],
    },
    RedisCloser,
  ],
  exports: [APP_CONFIG, REDIS],
})
export class RedisModule {}
