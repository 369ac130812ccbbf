import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createJobRunner } from '../../../ecs-socketio/container/job-runner.js';
import type { QueuedJob } from '../../../ecs-socketio/container/jobs.js';

const job = (jobId: string, durationMs: number): QueuedJob => ({
  jobId,
  userId: 'alice',
  durationMs,
  outcome: 'complete',
  enqueuedAtMs: 0,
});

function runner(withQueue = true) {
  const published: string[] = [];
  const enqueued: QueuedJob[] = [];
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const jobs = createJobRunner({
    containerId: 'c1',
    publish: async (completion) => published.push(completion.jobId),
    jobQueue: withQueue
      ? {
          enqueue: async (queued) => {
            enqueued.push(queued);
            return 'id';
          },
        }
      : undefined,
    logger,
    onPublished: () => undefined,
  });
  return { jobs, published, enqueued, logger };
}

describe('createJobRunner', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('publishes a job’s completion once its duration has passed', async () => {
    const { jobs, published } = runner();
    jobs.run(job('a', 1000));
    await vi.advanceTimersByTimeAsync(999);
    expect(published).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect([published, jobs.size]).toEqual([['a'], 0]);
  });

  it('hands the chosen jobs to the queue with the work they have left, and never publishes them here', async () => {
    const { jobs, published, enqueued } = runner();
    jobs.run(job('short', 1000));
    jobs.run(job('long', 5000));
    await vi.advanceTimersByTimeAsync(400);
    await jobs.handOff(({ dueAtMs }) => dueAtMs > 2000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(enqueued).toEqual([
      expect.objectContaining({ jobId: 'long', remainingMs: 4600, handedOffBy: 'c1' }),
    ]);
    expect(published).toEqual(['short']);
  });

  it('without a queue, hand-off keeps the jobs here', async () => {
    const { jobs, published } = runner(false);
    jobs.run(job('a', 1000));
    await jobs.handOff(() => true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(published).toEqual(['a']);
  });

  it('cancelAll stops every job without publishing', async () => {
    const { jobs, published } = runner();
    jobs.run(job('a', 1000));
    jobs.cancelAll();
    await jobs.settled();
    await vi.advanceTimersByTimeAsync(2000);
    expect(published).toEqual([]);
  });

  it('logs a failed publish instead of throwing', async () => {
    const { jobs, logger } = runner();
    const failing = createJobRunner({
      containerId: 'c1',
      publish: async () => {
        throw new Error('redis down');
      },
      jobQueue: undefined,
      logger,
      onPublished: () => undefined,
    });
    failing.run(job('a', 0));
    await vi.advanceTimersByTimeAsync(0);
    await failing.settled();
    expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ jobId: 'a' }), 'job publish failed');
    expect(jobs.size).toBe(0);
  });
});
