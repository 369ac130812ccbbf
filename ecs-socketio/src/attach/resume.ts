import { ErrorCode, type ErrorFrameBody, type ReplayResult, resumeRequestSchema } from '@syncbell/contract';
import type { ReplayLog } from '../replay-log.js';
import { requestAck } from './ack.js';

export interface ResumeHandlerOptions {
  /** The log to read; without one (no Redis) a resume gets nothing, and `truncated` when it asked for more. */
  replayLog: ReplayLog | undefined;
  /** Sent back as `servedBy`. */
  serverId: string;
  /** Awaited before the log is read (the sharded adapter's subscription to the user's room). @default none */
  beforeRead?: () => Promise<unknown>;
  /** Told how many notifications each answered resume replayed. */
  onReplayed(count: number): void;
  onRefused(code: ErrorCode): void;
  onFailed(error: Error): void;
}

/** Answers a resume: `userId` from the verified token (never from the frame), the event's arguments, and where an error frame goes when there is no ack. */
export type ResumeHandler = (
  userId: string,
  args: unknown[],
  sendError: (body: ErrorFrameBody) => void,
) => Promise<void>;

/**
 * The `resume` event's handler, one for every socket: reads what the user missed after `after`
 * and answers it on the ack.
 */
export function resumeHandler({
  replayLog,
  serverId,
  beforeRead,
  onReplayed,
  onRefused,
  onFailed,
}: ResumeHandlerOptions): ResumeHandler {
  return async (userId, args, sendError) => {
    const ack = requestAck('resume', args, sendError, onRefused);
    if (!ack) return;
    const parsed = resumeRequestSchema.safeParse(args[0]);
    if (!parsed.success) {
      onRefused(ErrorCode.BadRequest);
      ack({
        code: ErrorCode.BadRequest,
        message: `bad resume request: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      });
      return;
    }
    try {
      await beforeRead?.();
      const result: ReplayResult = replayLog
        ? await replayLog.read(userId, parsed.data.after)
        : { notifications: [], truncated: parsed.data.after !== undefined };
      onReplayed(result.notifications.length);
      ack({ ...result, servedBy: serverId });
    } catch (error) {
      onFailed(error as Error);
      ack({ code: ErrorCode.Internal, message: 'could not read the replay log; retry' });
    }
  };
}
