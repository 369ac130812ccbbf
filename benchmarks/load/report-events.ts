import type { SyncbellClient } from '../../shared/client/index.js';
import type { ChildMessage, ReportedEvent } from './protocol.js';

// A client process's SDK clients' events, streamed to its parent (`OpenSpec.report`).

/** SDK client events waiting to go to the parent (`OpenSpec.report`), sent in batches. */
let reported: ReportedEvent[] = [];
/**
 * Batched every 20 ms: one IPC message per event was thousands a second in a storm. The batch
 * delay is what the parent's timings of these events are late by at most (each event carries its
 * own `atMs`, taken here).
 */
const REPORT_BATCH_MS = 20;
const reportTimer = setInterval(() => {
  if (reported.length === 0 || !process.connected) return;
  // With a callback, a channel the parent closed meanwhile (the run ended, or its watchdog gave up)
  // is an error passed here, not an unhandled 'error' event crashing this process mid-exit; the
  // process exits on 'disconnect' (client-process.ts).
  process.send?.({ type: 'events', events: reported } satisfies ChildMessage, undefined, {}, () => {});
  reported = [];
}, REPORT_BATCH_MS);
reportTimer.unref();

/** Streams `client`'s events to the parent under `label`. */
export function reportEvents(client: SyncbellClient, label: string): void {
  const push = (event: ReportedEvent) => reported.push(event);
  client.on('state', ({ oldState, newState, attempt, reason }) =>
    push({
      label,
      atMs: Date.now(),
      event: 'state',
      payload: {
        oldState,
        newState,
        attempt,
        ...(reason ? { reason: { code: reason.code, reason: reason.reason } } : {}),
      },
    }),
  );
  client.on('notification', ({ notification, meta }) =>
    push({
      label,
      atMs: Date.now(),
      event: 'notification',
      payload: { notification: notification as unknown as Record<string, unknown>, meta },
    }),
  );
  client.on('moved', (payload) => push({ label, atMs: Date.now(), event: 'moved', payload }));
  client.on('moveFailed', (payload) => push({ label, atMs: Date.now(), event: 'moveFailed', payload }));
  client.on('resumed', (payload) => push({ label, atMs: Date.now(), event: 'resumed', payload }));
  client.on('error', (error) =>
    push({
      label,
      atMs: Date.now(),
      event: 'error',
      payload: { code: String(error.code), message: error.message },
    }),
  );
}

/** Drops what is waiting (a session closed: its events belong to no one). */
export function discardReported(): void {
  reported = [];
}
