import { ErrorCode, isWireError, positionFields, type ServerFrame } from '@syncbell/contract';
import { ConnectionGoneError } from '../errors.js';
import { managementEndpointFor } from '../clients.js';
import type { ConnectionsStore } from '../data/connections.js';
import type { NotificationLog } from '../data/notifications.js';
import { type HttpResult, webSocketEventSchema } from '../events.js';
import { parseClientFrame, replayFrames, requestIdOf } from '../frames/client-frame.js';
import { createFramePoster, type FramePoster } from '../management/post.js';
import { MetricName, type Telemetry } from '../observability.js';
import { getRuntime, lambdaHandler } from '../runtime.js';

export interface DefaultDeps {
  connections: ConnectionsStore;
  log: NotificationLog;
  telemetry: Telemetry;
  /** A poster bound to the management endpoint of the API that sent the event. */
  posterFor(requestContext: { domainName?: string | undefined; stage?: string | undefined }): FramePoster;
  /** @default Date.now */
  now?: () => number;
}

/**
 * `$default`: every client frame lands here (the API routes on `$request.body.action` and
 * defines no other routes), so one place parses, validates and answers it. Answers go through
 * the management API; a bad frame gets an error frame and the connection stays open.
 */
export function createDefaultHandler(deps: () => DefaultDeps): (event: unknown) => Promise<HttpResult> {
  return async (rawEvent) => {
    const { connections, log, telemetry, posterFor, now = Date.now } = deps();
    // A binary frame: API Gateway itself refuses those (it closes the connection), but
    // serverless-offline hands the handler a Buffer body, which failed event validation and the
    // invocation with it (found by the chaos bad-input scenario). Answer it like any bad frame.
    const rawBody = (rawEvent as { body?: unknown } | null)?.body;
    const binary = typeof rawBody === 'object' && rawBody !== null;
    const event = webSocketEventSchema.parse(
      binary ? { ...(rawEvent as object), body: undefined } : rawEvent,
    );
    const { connectionId } = event.requestContext;
    const poster = posterFor(event.requestContext);
    const body = event.body ?? undefined;

    const send = async (frame: ServerFrame) => {
      try {
        await poster.post(connectionId, frame);
      } catch (error) {
        if (!(error instanceof ConnectionGoneError)) throw error;
        // The client left while we answered; its row is stale now.
        await connections.delete(connectionId);
      }
    };
    const sendError = async (code: ErrorCode, message: string, requestId: string | undefined) => {
      telemetry.count(MetricName.FramesRejected);
      await send({ type: 'error', code, message, ...(requestId === undefined ? {} : { requestId }) });
    };

    if (binary) {
      telemetry.logger.info('frame rejected', { connectionId, code: ErrorCode.BadRequest });
      await sendError(
        ErrorCode.BadRequest,
        'binary frames are not supported: send JSON text frames',
        undefined,
      );
      return { statusCode: 200 };
    }

    let frame: ReturnType<typeof parseClientFrame>;
    try {
      frame = parseClientFrame(body, event.isBase64Encoded);
    } catch (error) {
      if (!isWireError(error)) throw error;
      telemetry.logger.info('frame rejected', { connectionId, code: error.code });
      await sendError(error.code, error.message, requestIdOf(body));
      return { statusCode: 200 };
    }

    // The user comes from the authorizer context (API Gateway hands the `$connect` authorizer's
    // context to every route) or, without one, from the row `$connect` wrote after verifying the
    // token. Never from the frame.
    const userIdOf = async () =>
      event.requestContext.authorizer?.userId ?? (await connections.get(connectionId))?.userId;

    if (frame.action === 'ping') {
      // The pong carries the user's log position (position.ts): a live post that failed (throttled,
      // 5xx, a notify that timed out mid-fan-out) is resumed for within one keep-alive round.
      const userId = await userIdOf();
      const recent = userId === undefined ? [] : await readRecent(log, userId, telemetry);
      await send({
        type: 'pong',
        serverTimeMs: now(),
        ...(frame.requestId === undefined ? {} : { requestId: frame.requestId }),
        ...positionFields(recent),
      });
      return { statusCode: 200 };
    }

    const userId = await userIdOf();
    if (userId === undefined) {
      await sendError(ErrorCode.InvalidToken, 'this connection is not authenticated', frame.requestId);
      return { statusCode: 200 };
    }
    const missed = await log.missedAfter(userId, frame.after);
    for (const reply of replayFrames(missed, frame.requestId)) await send(reply);
    telemetry.count(MetricName.Replayed, missed.notifications.length);
    return { statusCode: 200 };
  };
}

/** The user's log position for a pong; a failed read loses only the hint (the pong still proves liveness). */
async function readRecent(log: NotificationLog, userId: string, telemetry: Telemetry): Promise<string[]> {
  try {
    return await log.recent(userId);
  } catch (error) {
    telemetry.logger.warn('could not read the log position for a pong', {
      userId,
      error: error instanceof Error ? error.message : String(error),
    });
    return [];
  }
}

export const handler = lambdaHandler(
  createDefaultHandler(() => {
    const runtime = getRuntime();
    return {
      connections: runtime.connections,
      log: runtime.log,
      telemetry: runtime.telemetry,
      posterFor: (requestContext) =>
        createFramePoster({
          client: runtime.management(managementEndpointFor(requestContext)),
          onThrottled: () => runtime.telemetry.count(MetricName.PostsThrottled),
        }),
    };
  }),
);
