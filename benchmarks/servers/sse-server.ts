import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bus } from './bus.js';
import { acceptHttpRequest, type PushServerConfig, rawNotificationId } from './common.js';

const eventOf = (raw: string) => {
  const id = rawNotificationId(raw);
  return `${id ? `id: ${id}\n` : ''}event: notification\ndata: ${raw}\n\n`;
};

/**
 * Server-Sent Events contender: `GET /events?token=...`, resume through `Last-Event-ID` (the
 * browser's EventSource sends it by itself on reconnect) or `?after=`, a comment line as heartbeat.
 * The client detects a dead stream from missing heartbeats; the server cannot (no back channel).
 */
export function createSseHandler(
  bus: Bus,
  config: PushServerConfig,
): {
  handle(req: IncomingMessage, res: ServerResponse): void;
  connections(): number;
  closedTotal(): number;
} {
  const open = new Set<ServerResponse>();
  let closedTotal = 0;
  const timer = setInterval(() => {
    for (const res of open) res.write(': hb\n\n');
  }, config.heartbeatIntervalMs);
  timer.unref();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const accepted = await acceptHttpRequest(req, res, config.jwtKey);
    if (!accepted) return;
    const { userId, cursor } = accepted;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(`retry: 1000\n\n`);
    let held: string[] | undefined = cursor.after === undefined ? undefined : [];
    const stop = bus.listen(userId, (raw) => {
      if (held) held.push(raw);
      else res.write(eventOf(raw));
    });
    open.add(res);
    // SSE has no back channel, so a silently dropped peer is invisible here: heartbeat writes land
    // in a kernel buffer and succeed. The response ends only when the socket errors or closes (the
    // drop scenario measures exactly this).
    res.on('close', () => {
      closedTotal++;
      open.delete(res);
      stop();
    });
    if (cursor.after !== undefined) {
      try {
        const result = await bus.replay(userId, cursor.after);
        for (const n of result.notifications) res.write(eventOf(JSON.stringify(n)));
      } finally {
        for (const raw of held ?? []) res.write(eventOf(raw));
        held = undefined;
      }
    }
  }
  return {
    handle: (req, res) => {
      handle(req, res).catch(() => res.destroy());
    },
    connections: () => open.size,
    closedTotal: () => closedTotal,
  };
}
