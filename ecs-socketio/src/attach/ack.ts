import { ErrorCode, type ErrorFrameBody } from '@syncbell/contract';

export type Ack = (body: unknown) => void;

/**
 * The acknowledgement of a client request that takes exactly one request object (`resume`, the
 * keep-alive), or undefined once the request has been refused: without an ack on an error frame,
 * with extra arguments on the ack. Extra arguments used to shift the ack out of place and leave
 * the client waiting for an answer that never came (found by the chaos frame generator).
 */
export function requestAck(
  event: string,
  args: unknown[],
  sendError: (body: ErrorFrameBody) => void,
  onRefused: (code: ErrorCode) => void,
): Ack | undefined {
  const ack = args.at(-1);
  if (typeof ack !== 'function') {
    onRefused(ErrorCode.BadRequest);
    sendError({ code: ErrorCode.BadRequest, message: `${event} needs an acknowledgement callback` });
    return undefined;
  }
  if (args.length !== 2) {
    onRefused(ErrorCode.BadRequest);
    ack({ code: ErrorCode.BadRequest, message: `${event} takes exactly one request object` });
    return undefined;
  }
  return ack as Ack;
}
