import fc from 'fast-check';

/** One seed per run, printed in the report, so a failing frame can be generated again. */
export const DEFAULT_SEED = 20_261_127;

/** Socket.io reserves these names on the client; emitting them throws before anything is sent. */
const RESERVED = new Set([
  'connect',
  'connect_error',
  'disconnect',
  'disconnecting',
  'newListener',
  'removeListener',
]);

export interface GeneratedEvent {
  event: string;
  args: unknown[];
}

/**
 * Socket.io events a hostile client might send: room verbs, the real `resume` with wrong types,
 * server-only event names, random names; JSON payloads of any shape and binary attachments.
 */
export function socketIoEvents(count: number, seed = DEFAULT_SEED): GeneratedEvent[] {
  const name = fc
    .oneof(
      fc.constantFrom(
        'resume',
        'join',
        'subscribe',
        'leave',
        'joinRoom',
        'notification',
        'syncbell:error',
        'syncbell:resync',
      ),
      fc.string({ maxLength: 40 }),
    )
    .filter((event) => !RESERVED.has(event));
  const arg = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({ after: fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.constant(null)) }),
    fc.record({ room: fc.string({ maxLength: 40 }), userId: fc.string({ maxLength: 40 }) }),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  );
  return fc.sample(fc.record({ event: name, args: fc.array(arg, { maxLength: 3 }) }), {
    numRuns: count,
    seed,
  });
}

/**
 * JSON text frames for the API Gateway route selection (`$request.body.action`): malformed JSON,
 * non-objects, wrong types for real actions, unknown actions, extra fields. `$connect` and
 * `$disconnect` as actions are probed on their own (serverless-offline routes them to those
 * handlers, which answer nothing), see the API Gateway bad-input scenario.
 */
export function apigwTextFrames(count: number, seed = DEFAULT_SEED): string[] {
  const frame = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.json({ maxDepth: 3 }),
    fc
      .record(
        {
          action: fc.oneof(
            fc.constantFrom('resume', 'ping', 'join', 'subscribe', 'notify', '$default'),
            fc.string({ maxLength: 20 }),
            fc.integer(),
          ),
          after: fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.constant(null)),
          userId: fc.string({ maxLength: 20 }),
        },
        { requiredKeys: ['action'] },
      )
      .map((value) => JSON.stringify(value)),
  );
  return fc.sample(frame, { numRuns: count, seed });
}

/** Raw bytes for a WebSocket that speaks neither protocol. */
export function binaryFrames(count: number, seed = DEFAULT_SEED): Uint8Array[] {
  return fc.sample(fc.uint8Array({ minLength: 1, maxLength: 256 }), { numRuns: count, seed });
}
