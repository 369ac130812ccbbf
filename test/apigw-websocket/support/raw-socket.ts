import { WebSocket } from 'ws';
import { type ServerFrame, serverFrameSchema } from '@syncbell/contract';

/** A plain WebSocket client (no SDK), as a non-TypeScript consumer would use the API. */
export interface RawSocket {
  ws: WebSocket;
  frames: ServerFrame[];
  send(text: string): void;
  waitForFrame(predicate: (frame: ServerFrame) => boolean, timeoutMs?: number): Promise<ServerFrame>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Opens a raw socket; rejects with the HTTP status when the upgrade is refused. */
export function openRawSocket(url: string): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const frames: ServerFrame[] = [];
    const waiters = new Set<() => void>();
    const closed = new Promise<{ code: number; reason: string }>((resolveClose) => {
      ws.on('close', (code, reason) => resolveClose({ code, reason: reason.toString() }));
    });
    ws.on('unexpected-response', (_request, response) => {
      reject(
        Object.assign(new Error(`upgrade refused: HTTP ${response.statusCode}`), {
          status: response.statusCode,
        }),
      );
      ws.terminate();
    });
    ws.on('error', reject);
    ws.on('message', (data) => {
      const frame = serverFrameSchema.parse(JSON.parse(data.toString()));
      frames.push(frame);
      for (const waiter of [...waiters]) waiter();
    });
    ws.on('open', () =>
      resolve({
        ws,
        frames,
        send: (text) => ws.send(text),
        closed,
        close: () => ws.close(),
        waitForFrame: (predicate, timeoutMs = 10_000) =>
          new Promise((resolveFrame, rejectFrame) => {
            const check = () => {
              const found = frames.find(predicate);
              if (!found) return;
              waiters.delete(check);
              clearTimeout(timer);
              resolveFrame(found);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              rejectFrame(
                new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`),
              );
            }, timeoutMs);
            waiters.add(check);
            check();
          }),
      }),
    );
  });
}

/** Resolves with the refused upgrade's HTTP status; fails if the connection opens. */
export async function refusedStatus(url: string): Promise<number> {
  try {
    const socket = await openRawSocket(url);
    socket.close();
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== undefined) return status;
    throw error;
  }
  throw new Error('the connection was accepted');
}
