import { ErrorCode, type ErrorFrameBody, type KeepAliveAnswer, positionFields } from '@syncbell/contract';
import type { ReplayLog } from '../replay-log.js';
import { requestAck } from './ack.js';

export interface KeepAliveHandlerOptions {
  /** Where the user's position is read; without one (no Redis) the answer carries none. */
  replayLog: ReplayLog | undefined;
  onRefused(code: ErrorCode): void;
  onFailed(error: Error): void;
  /** @default Date.now */
  now?: () => number;
}

/** Answers one keep-alive: `userId` from the verified token, the event's arguments, where an error frame goes without an ack. */
export type KeepAliveHandler = (
  userId: string,
  args: unknown[],
  sendError: (body: ErrorFrameBody) => void,
) => Promise<void>;

/**
 * The `SocketEvent.KeepAlive` handler, one for every socket: answers with the user's log position
 * (`latest` and `recent`, see the contract's position.ts) so a client that lost a live emit
 * resumes for it, and one that got everything does not. One `XREVRANGE ... COUNT 4` per keep-alive; the frame budget (frame-budget.ts) counts it like any
 * other client event. The request object's fields are not read (a newer client may add some).
 */
export function keepAliveHandler({
  replayLog,
  onRefused,
  onFailed,
  now = Date.now,
}: KeepAliveHandlerOptions): KeepAliveHandler {
  return async (userId, args, sendError) => {
    const ack = requestAck('keep-alive', args, sendError, onRefused);
    if (!ack) return;
    if (typeof args[0] !== 'object' || args[0] === null || Array.isArray(args[0])) {
      onRefused(ErrorCode.BadRequest);
      ack({ code: ErrorCode.BadRequest, message: 'keep-alive takes one object ({})' });
      return;
    }
    try {
      const recent = (await replayLog?.recent(userId)) ?? [];
      const answer: KeepAliveAnswer = { serverTimeMs: now(), ...positionFields(recent) };
      ack(answer);
    } catch (error) {
      onFailed(error as Error);
      ack({ code: ErrorCode.Internal, message: 'could not read the replay log' });
    }
  };
}
