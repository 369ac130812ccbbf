import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { userFromBearer } from './auth.js';
import { CALENDAR_SYNC_QUEUE, type CalendarSyncJob } from './calendar-sync.queue.js';
import { APP_CONFIG, type AppConfig } from './config.js';

@Controller('calendar-sync')
export class CalendarSyncController {
  constructor(
    @InjectQueue(CALENDAR_SYNC_QUEUE) private readonly queue: Queue<CalendarSyncJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts a calendar sync for the caller: queued here, run by the worker, announced by syncbell. */
  @Post()
  @HttpCode(202)
  async start(@Headers('authorization') authorization: string | undefined) {
    const userId = await userFromBearer(authorization);
    const jobId = randomUUID();
    await this.queue.add('sync', { userId, acceptedBy: this.config.instanceId }, { jobId });
    return { jobId, acceptedBy: this.config.instanceId };
  }
}
