import { syncbellErrorClass } from '@syncbell/server';

/**
 * The socket.io variant's own error codes (its configuration errors are @syncbell/server's
 * `ConfigError`, a stored claim it cannot read is @syncbell/server's `UnreadableClaimError`; what
 * goes to clients is the contract's `ErrorCode`). Match `error.code`, not the message;
 * docs/ERRORS.md lists every package's table.
 */
export const SocketIoErrorCode = {
  /** `@socket.io/redis-emitter` encoded no packet for an emit: a library upgrade broke what the publisher relies on. */
  EmitterSilent: 'ERR_SYNCBELL_EMITTER_SILENT',
  /** The container could not read its own address from the ECS task metadata endpoint (v4). */
  TaskMetadata: 'ERR_SYNCBELL_TASK_METADATA',
} as const;
export type SocketIoErrorCode = (typeof SocketIoErrorCode)[keyof typeof SocketIoErrorCode];

/** The emitter the publisher encodes packets with published nothing; nothing was sent. */
export const EmitterSilentError = syncbellErrorClass('EmitterSilentError', SocketIoErrorCode.EmitterSilent);
export type EmitterSilentError = InstanceType<typeof EmitterSilentError>;

/** The ECS task metadata endpoint answered an error or no IPv4 address (the deregistration watch logs it and retries). */
export const TaskMetadataError = syncbellErrorClass('TaskMetadataError', SocketIoErrorCode.TaskMetadata);
export type TaskMetadataError = InstanceType<typeof TaskMetadataError>;
