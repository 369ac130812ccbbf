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
 * before the container saw `draining`, and the last wave's clients reconnect within the SDK's
 * immediate-reconnect jitter (up to its 1 s floor) before the ALB would cut them.
 */
export const DEREGISTRATION_MARGIN_MS = 2000;

/**
 * Asks `sockets` to move to another container (`syncbell:draining`, then disconnect), in waves
 * across half the drain window so they do not all land on the others at once.
 */
export async function moveSockets(sockets: readonly Socket[], drainTimeoutMs: number): Promise<void> {
  await moveInWaves(sockets, DRAIN_WAVES, Math.min(MAX_WAVE_GAP_MS, drainTimeoutMs / 2 / DRAIN_WAVES));
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
): Promise<void> {
  const spreadMs = Math.max(0, deregistrationDelayMs - pollIntervalMs - DEREGISTRATION_MARGIN_MS);
  const waves = Math.max(1, Math.floor(spreadMs / DEREGISTRATION_WAVE_GAP_MS));
  await moveInWaves(sockets, waves, DEREGISTRATION_WAVE_GAP_MS);
}

async function moveInWaves(sockets: readonly Socket[], waves: number, waveGapMs: number): Promise<void> {
  const perWave = Math.max(1, Math.ceil(sockets.length / waves));
  for (let i = 0; i < sockets.length; i += perWave) {
    for (const socket of sockets.slice(i, i + perWave)) {
      socket.emit(SocketEvent.Draining, {
        code: ErrorCode.ServerShuttingDown,
        message: 'container is draining; reconnect',
      });
      socket.disconnect(true);
    }
    if (i + perWave < sockets.length) await delay(waveGapMs);
  }
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
  await moveSockets(sockets(), drainTimeoutMs);
  // In-flight jobs publish through Redis, so their clients get them on the container they moved to.
  await Promise.race([jobsSettled(), delay(Math.max(0, deadline - nowMs()))]);
  // Whatever is still here at the deadline (a slow publish, a loaded machine) goes too, before Redis closes.
  await handOff(() => true);
  await close();
}
