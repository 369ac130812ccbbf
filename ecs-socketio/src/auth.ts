import type { ErrorFrameBody } from '@syncbell/contract';

/** The `connect_error` a socket.io middleware passes to `next`: the client reads the frame from `data`. */
export function handshakeError(body: ErrorFrameBody): Error & { data: ErrorFrameBody } {
  return Object.assign(new Error(body.message), { data: body });
}
