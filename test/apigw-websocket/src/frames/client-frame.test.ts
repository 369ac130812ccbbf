import { describe, expect, it } from 'vitest';
import { parseClientFrame, replayFrames } from '../../../../apigw-websocket/src/frames/client-frame.js';
import {
  createNotification,
  ErrorCode,
  serverFrameSchema,
  type SyncbellError,
} from '../../../../shared/contract/index.js';

describe('parseClientFrame', () => {
  it('accepts the protocol frames, base64-encoded ones too', () => {
    expect(parseClientFrame('{"action":"ping"}')).toEqual({ action: 'ping' });
    const encoded = Buffer.from('{"action":"resume","requestId":"r"}').toString('base64');
    expect(parseClientFrame(encoded, true)).toEqual({ action: 'resume', requestId: 'r' });
  });

  it('rejects an empty body as bad_request', () => {
    expect(() => parseClientFrame(undefined)).toThrow(
      expect.objectContaining({ code: ErrorCode.BadRequest }) as unknown as SyncbellError,
    );
  });
});

describe('replayFrames', () => {
  it('answers an empty replay with one frame', () => {
    expect(replayFrames({ notifications: [], truncated: false }, 'r1')).toEqual([
      { type: 'replay', requestId: 'r1', notifications: [], truncated: false },
    ]);
  });

  it('splits a long replay under the frame limit, in order, marking all but the last with more', () => {
    const notifications = Array.from({ length: 50 }, (_, i) =>
      createNotification({
        type: 'sync.progress',
        userId: 'u',
        jobId: `j${i}`,
        data: { pad: 'x'.repeat(200) },
      }),
    );
    const limitBytes = 2048;
    const frames = replayFrames(
      { notifications, truncated: true, cursor: notifications[49]?.id },
      'r2',
      limitBytes,
    );
    expect(frames.length).toBeGreaterThan(1);
    for (const frame of frames) {
      expect(Buffer.byteLength(JSON.stringify(frame))).toBeLessThanOrEqual(limitBytes);
      expect(serverFrameSchema.parse(frame)).toMatchObject({
        type: 'replay',
        requestId: 'r2',
        truncated: true,
      });
    }
    expect(frames.map((f) => (f.type === 'replay' ? f.more : 'wrong'))).toEqual([
      ...Array(frames.length - 1).fill(true),
      undefined,
    ]);
    expect(frames.flatMap((f) => (f.type === 'replay' ? f.notifications : []))).toEqual(notifications);
  });
});
