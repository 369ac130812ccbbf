/**
 * The demo job API's contract, `@syncbell/contract/jobs`: not in the contract's main entry, which is
 * what an app needs (the demo `POST /jobs/sync` of syncbell's own container and Lambda is not).
 */
import { ulid } from 'ulidx';
import * as z from 'zod';
import {
  DEFAULT_SYNC_JOB_DURATION_MS,
  MAX_SYNC_JOB_DURATION_MS,
  SYNC_JOB_ID_MESSAGE,
  SYNC_JOB_ID_PATTERN,
  SYNC_JOB_OUTCOMES,
} from './wire.js';

/**
 * The demo job API of both variants (`POST /jobs/sync`, an end user's bearer token): the request
 * body, the job id, the answer. The limits and why they are what they are: `wire.ts`.
 */
export const syncJobRequestSchema = z
  .object({
    /** How long the demo sync "works" before it notifies. @default 2000 */
    durationMs: z.number().int().min(0).max(MAX_SYNC_JOB_DURATION_MS).default(DEFAULT_SYNC_JOB_DURATION_MS),
    /** @default 'complete' */
    outcome: z.enum(SYNC_JOB_OUTCOMES).default('complete'),
  })
  .strict();
export type SyncJobRequest = z.infer<typeof syncJobRequestSchema>;

export const syncJobIdSchema = z.string().regex(SYNC_JOB_ID_PATTERN, SYNC_JOB_ID_MESSAGE);

/** `202` answer of `POST /jobs/sync`; a variant may add fields (the socket.io one says who took the job). */
export const syncJobAcceptedSchema = z.looseObject({ jobId: syncJobIdSchema });

/** A new demo job id: `job_` + a ULID. */
export function newSyncJobId(): string {
  return `job_${ulid()}`;
}

/** The notification type a finished demo job publishes. */
export function syncJobNotificationType(outcome: (typeof SYNC_JOB_OUTCOMES)[number]) {
  return outcome === 'complete' ? ('sync.complete' as const) : ('sync.failed' as const);
}
