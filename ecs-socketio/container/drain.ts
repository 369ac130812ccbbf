import { ErrorCode, SocketEvent } from '@syncbell/contract';
import type { Socket } from 'socket.io';
import { delay } from './jobs.js';

/** How many waves the sockets are moved in, across the first half of the drain window. */
export const DRAIN_WAVES = 10;
const MAX_WAVE_GAP_MS = 250;

/** The gap between waves of a drain that starts at deregistration (many small waves). */
export const DEREGISTRATION_WAVE_GAP_MS = 200;
/**
 * What a drain at deregistration leaves at the end of the delay: one poll interval may have passed
 * before the container saw `draining`, and the last wave's clients need this long to open their
 * successor and resume on it before the ALB would cut them.
 */
export const DEREGISTRATION_MARGIN_MS = 2000;

/**
 * How long a socket told to move stays open (make before break): the SDK opens its successor
 * through the load balancer (a deregistered target gets no new requests or connections while its
 * open ones are kept: ELB User Guide for Application Load Balancers, "Deregistration delay"; so it
 * lands on another container), resumes there, then closes this one itself. Only a client that has
 * not left by then (an older SDK, a successor that failed) is disconnected, and it reconnects at
 * once. Never past the window's end: the drain's deadline or the load balancer's cut.
 */
export const MOVE_GRACE_MS = 5000;

/**
 * Asks `sockets` to move to another container, in waves across half the drain window so they do
 * not all land on the others at once. Resolves when every one has left (or was disconnected at the
 * end of its grace, which ends by `drainTimeoutMs` at the latest).
 */
export async function moveSockets(
  sockets: readonly Socket[],
  drainTimeoutMs: number,
  nowMs: () => number = Date.now,
): Promise<void> {
  const gapMs = Math.min(MAX_WAVE_GAP_MS, drainTimeoutMs / 2 / DRAIN_WAVES);
  await moveInWaves(sockets, DRAIN_WAVES, gapMs, nowMs() + drainTimeoutMs, nowMs);
}

/**
 * The drain at deregistration: moves `sockets` in waves every `DEREGISTRATION_WAVE_GAP_MS` across
 * what is left of the deregistration delay (less the poll interval and `DEREGISTRATION_MARGIN_MS`),
 * so the survivors take the clients as a steady trickle and the ALB has no one left to cut.
 */
export async function moveSocketsBeforeCut(
  sockets: readonly Socket[],
  deregistrationDelayMs: number,
  pollIntervalMs: number,
  nowMs: () => number = Date.now,
): Promise<void> {
  const spreadMs = Math.max(0, deregistrationDelayMs - pollIntervalMs - DEREGISTRATION_MARGIN_MS);
  const waves = Math.max(1, Math.floor(spreadMs / DEREGISTRATION_WAVE_GAP_MS));
  // The cut as late as it can come: the target may have been draining for a poll interval already.
  const cutAtMs = nowMs() + Math.max(0, deregistrationDelayMs - pollIntervalMs);
  await moveInWaves(sockets, waves, DEREGISTRATION_WAVE_GAP_MS, cutAtMs, nowMs);
}

async function moveInWaves(
  sockets: readonly Socket[],
  waves: number,
  waveGapMs: number,
  endsAtMs: number,
  nowMs: () => number,
): Promise<void> {
  const perWave = Math.max(1, Math.ceil(sockets.length / waves));
  const left: Promise<void>[] = [];
  for (let i = 0; i < sockets.length; i += perWave) {
    const graceMs = Math.min(MOVE_GRACE_MS, Math.max(0, endsAtMs - nowMs()));
    for (const socket of sockets.slice(i, i + perWave)) left.push(askToMove(socket, graceMs));
    if (i + perWave < sockets.length) await delay(waveGapMs);
  }
  await Promise.all(left);
}

/** `syncbell:draining`, then the socket's own close, or a disconnect when `graceMs` is over. */
function askToMove(socket: Socket, graceMs: number): Promise<void> {
  socket.emit(SocketEvent.Draining, {
    code: ErrorCode.ServerShuttingDown,
    message: 'container is draining; reconnect',
    graceMs,
  });
  if (graceMs <= 0 || socket.disconnected) {
    socket.disconnect(true);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.disconnect(true);
      resolve();
    }, graceMs);
    timer.unref?.();
    socket.once('disconnect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export interface DrainSteps {
  drainTimeoutMs: number;
  /** Stops accepting connections: the load balancer's next attempt fails over to another container. */
  stopAccepting(): void;
  /** The sockets to move. */
  sockets(): Socket[];
  /** Hands the jobs `which` selects to the worker's queue (see `JobRunner.handOff`). */
  handOff(which: (entry: { dueAtMs: number }) => boolean): Promise<void>;
  /** Resolves when the jobs running here have published. */
  jobsSettled(): Promise<void>;
  close(): Promise<void>;
  /** @default Date.now */
  nowMs?: () => number;
}

/** Graceful stop: refuse new work, move clients elsewhere, finish in-flight jobs or hand them to the worker queue, close. */
export async function drain({
  drainTimeoutMs,
  stopAccepting,
  sockets,
  handOff,
  jobsSettled,
  close,
  nowMs = Date.now,
}: DrainSteps): Promise<void> {
  const deadline = nowMs() + drainTimeoutMs;
  stopAccepting();
  // A job the drain window cannot cover goes to the worker's queue now (it was told 202; at
  // the deadline Redis closes and a job still running here would never publish).
  await handOff(({ dueAtMs }) => dueAtMs >= deadline);
  await moveSockets(sockets(), Math.max(0, deadline - nowMs()), nowMs);
  // In-flight jobs publish through Redis, so their clients get them on the container they moved to.
  await Promise.race([jobsSettled(), delay(Math.max(0, deadline - nowMs()))]);
  // Whatever is still here at the deadline (a slow publish, a loaded machine) goes too, before Redis closes.
  await handOff(() => true);
  await close();
}
