import type { IncomingMessage, ServerResponse } from 'node:http';
import { CURSOR_SKEW_MARGIN_MS, ulidFloor } from '../../shared/contract/index.js';
import type { Bus } from './bus.js';
import { acceptHttpRequest, type PushServerConfig, rawNotificationId } from './common.js';

/**
 * HTTP long-polling contender: `GET /poll?token=...` (no cursor) answers at once with a cursor;
 * `GET /poll?token=...&after=ID` answers at once with what the user missed after `after`, else
 * holds the request until a notification arrives or `pollHoldMs` passes. Every answer carries a
 * `cursor` for the next poll, so the server keeps no session: any container can answer any poll, and no load-balancer stickiness is needed (scenario 7 checks).
 */
export function createLongPollingHandler(
  bus: Bus,
  config: PushServerConfig,
): {
  handle(req: IncomingMessage, res: ServerResponse): void;
  connections(): number;
} {
  let waiting = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const accepted = await acceptHttpRequest(req, res, config.jwtKey);
    if (!accepted) return;
    const { userId, cursor } = accepted;
    // Listen before reading the log (the resume protocol), so nothing slips between the two.
    const live: string[] = [];
    let answer: ((raw: string[]) => void) | undefined;
    const stop = bus.listen(userId, (raw) => {
      if (answer) answer([raw]);
      else live.push(raw);
    });
    waiting++;
    let finished = false;
    let holdTimer: NodeJS.Timeout | undefined;
    const finish = (status: number, body: string) => {
      if (finished) return;
      finished = true;
      waiting--;
      stop();
      clearTimeout(holdTimer);
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(body);
    };
    /** Answers with `raws`; the next cursor is the last of them, else `whenEmpty`. */
    const respond = (raws: string[], whenEmpty?: string) => {
      const next = rawNotificationId(raws.at(-1)) ?? whenEmpty;
      finish(
        200,
        `{"notifications":[${raws.join(',')}],"cursor":${next === undefined ? 'null' : JSON.stringify(next)}}`,
      );
    };
    req.on('close', () => {
      if (!res.writableEnded) finish(499, '');
    });
    try {
      if (cursor.after === undefined) {
        // A poll without a cursor is the handshake: it is answered at once with where this user's
        // log stands (its newest id, or a time cursor when it is empty), and is never held. A held
        // first poll left a client with no cursor until the hold ended; a drop in that window made
        // its reconnect start from "now" and skip everything published meanwhile (found by the
        // full profile's drop scenario: 797 of 1,220 lost with resume).
        const start = (await bus.latestId(userId)) ?? ulidFloor(Date.now() - CURSOR_SKEW_MARGIN_MS);
        return respond(live, start);
      }
      const missed = await bus.replay(userId, cursor.after);
      if (missed.notifications.length > 0) {
        return respond(missed.notifications.map((n) => JSON.stringify(n)));
      }
    } catch {
      return finish(503, '{"code":"internal_error","message":"replay log unavailable; retry"}');
    }
    if (live.length > 0) return respond(live);
    if (finished) return;
    holdTimer = setTimeout(() => respond([], cursor.after), config.pollHoldMs);
    answer = (raws) => respond(raws);
  }
  return {
    handle: (req, res) => {
      handle(req, res).catch(() => res.destroy());
    },
    connections: () => waiting,
  };
}
