import { setTimeout as delay } from 'node:timers/promises';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { SyncbellPublisher } from '@syncbell/nestjs';
import type { Job } from 'bullmq';
import { CALENDAR_SYNC_QUEUE, type CalendarSyncJob } from './calendar-sync.queue.js';
import { APP_CONFIG, type AppConfig } from './config.js';

/** Runs on the worker container: the sync, then one notification to the user wherever their socket is. */
@Processor(CALENDAR_SYNC_QUEUE)
export class CalendarSyncProcessor extends WorkerHost {
  constructor(
    @Inject(SyncbellPublisher) private readonly notifications: SyncbellPublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async process(job: Job<CalendarSyncJob>) {
    await delay(this.config.syncDurationMs); // the calendar provider's API, in a real app
    // Idempotent by jobId: a job BullMQ retries after a crash notifies once.
    await this.notifications.publish({
      userId: job.data.userId,
      type: 'sync.complete',
      jobId: job.id ?? job.name,
      data: { acceptedBy: job.data.acceptedBy, finishedBy: this.config.instanceId },
    });
  }
}
