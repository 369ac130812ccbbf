import { describe, expect, it, vi } from 'vitest';
import { resumeHandler } from '../../../../ecs-socketio/src/attach/resume.js';
import type { ReplayLog } from '../../../../ecs-socketio/src/replay-log.js';
import { createNotification, ErrorCode } from '../../../../shared/contract/index.js';

function handler(replayLog: ReplayLog | undefined) {
  const events = {
    replayed: [] as number[],
    refused: [] as string[],
    failed: [] as Error[],
    sent: [] as unknown[],
  };
  const handle = resumeHandler({
    replayLog,
    serverId: 'server-1',
    onReplayed: (n) => events.replayed.push(n),
    onRefused: (code) => events.refused.push(code),
    onFailed: (error) => events.failed.push(error),
  });
  const resume = (...args: unknown[]) => handle('alice', args, (body) => events.sent.push(body));
  return { resume, events };
}

const notification = createNotification({ type: 'sync.complete', userId: 'alice', jobId: 'j' });
const log = (read: ReplayLog['read']): ReplayLog => ({ read, recent: async () => [] });

describe('resumeHandler', () => {
  it('answers what the log holds for the socket’s user after the cursor, with servedBy', async () => {
    const read = vi.fn(async () => ({ notifications: [notification], truncated: false }));
    const { resume, events } = handler(log(read));
    const ack = vi.fn();
    await resume({ after: undefined }, ack);
    expect(read).toHaveBeenCalledWith('alice', undefined);
    expect(ack).toHaveBeenCalledWith({
      notifications: [notification],
      truncated: false,
      servedBy: 'server-1',
    });
    expect(events.replayed).toEqual([1]);
  });

  it('reads the log only once beforeRead has resolved', async () => {
    const order: string[] = [];
    const resume = resumeHandler({
      replayLog: log(async () => {
        order.push('read');
        return { notifications: [], truncated: false };
      }),
      serverId: 's',
      beforeRead: async () => {
        await Promise.resolve();
        order.push('subscribed');
      },
      onReplayed: () => undefined,
      onRefused: () => undefined,
      onFailed: () => undefined,
    });
    await resume('alice', [{}, () => order.push('ack')], () => undefined);
    expect(order).toEqual(['subscribed', 'read', 'ack']);
  });

  it('without a log answers nothing, truncated when the client asked for more', async () => {
    const { resume } = handler(undefined);
    const ack = vi.fn();
    await resume({ after: notification.id }, ack);
    expect(ack).toHaveBeenCalledWith({ notifications: [], truncated: true, servedBy: 'server-1' });
  });

  it('refuses a resume without an ack with an error frame', async () => {
    const { resume, events } = handler(undefined);
    await resume({});
    expect(events.sent).toEqual([expect.objectContaining({ code: ErrorCode.BadRequest })]);
  });

  it.each([
    ['extra arguments', [{}, 'extra']],
    ['a bad cursor', [{ after: 42 }]],
  ])('refuses %s on the ack', async (_what, args) => {
    const { resume, events } = handler(undefined);
    const ack = vi.fn();
    await resume(...args, ack);
    expect(ack).toHaveBeenCalledWith(expect.objectContaining({ code: ErrorCode.BadRequest }));
    expect(events.refused).toEqual([ErrorCode.BadRequest]);
  });

  it('answers internal_error when the log cannot be read', async () => {
    const { resume, events } = handler(
      log(async () => {
        throw new Error('redis down');
      }),
    );
    const ack = vi.fn();
    await resume({}, ack);
    expect(ack).toHaveBeenCalledWith(expect.objectContaining({ code: ErrorCode.Internal }));
    expect(events.failed.map((e) => e.message)).toEqual(['redis down']);
  });
});
