// The contract's zod-free modules only (see contract/checks.ts): zod never reaches the bundle.
import { isKnownNotification, notificationProblems, readableNotificationId } from '@syncbell/contract/checks';
import { ErrorCode, TERMINAL_ERROR_CODES } from '@syncbell/contract/codes';
import type { Notification } from '@syncbell/contract/envelope';
import {
  errorFromServer,
  isWireError,
  MalformedNotificationError,
  type SyncbellError,
} from '@syncbell/contract/errors';
import type { ReceivedNotification } from '@syncbell/contract/evolution';
import { caughtUpTo, missedPosition, readLatest } from '@syncbell/contract/position';
import type { NotificationType } from '@syncbell/contract/wire';
import { backoff, delayWithHint, reconnectBackoff } from '@syncbell/contract/backoff';
import { BoundedIdSet } from './dedupe.js';
import { DisconnectCode } from './disconnect-codes.js';
import { TypedEmitter } from './events.js';
import { countProblems, durationProblems, refuseProblems } from './option-checks.js';
import { checkPositionStorage, type PositionStorage, PositionStore } from './position-store.js';
import type { DisconnectReason, Transport, TransportConnection } from './transport.js';

export const ClientState = {
  Disconnected: 'disconnected',
  Connecting: 'connecting',
  Connected: 'connected',
} as const;
export type ClientState = (typeof ClientState)[keyof typeof ClientState];

export interface StateChange {
  oldState: ClientState;
  newState: ClientState;
  /** Why the state changed: the disconnect reason for `connecting` after a drop. */
  reason?: DisconnectReason;
  /**
   * 0 on the first attempt; counts reconnect attempts since the last stable connection (one that
   * stayed up, resumed, for at least `maxReconnectDelayMs`: a server that accepts and drops at once
   * does not reset the backoff).
   */
  attempt: number;
}

/** What the app gets with every notification. */
export interface DeliveryMeta {
  /** True when the notification came from the resume replay, false when it arrived live. */
  replayed: boolean;
  /** Receipt time minus the publisher's `createdAtMs` (clock skew applies across machines). */
  latencyMs: number;
  receivedAtMs: number;
}

export type ClientEvents = {
  state: StateChange;
  /**
   * Every notification, including types and versions this SDK does not know (a newer server):
   * `type` is a string here and unknown fields are kept. See "Evolving the contract".
   */
  notification: { notification: ReceivedNotification; meta: DeliveryMeta };
  /**
   * Replay finished on a (re)connect; `truncated` means older history is gone. `replayed` counts
   * the valid notifications it carried (malformed entries are skipped and reported on `error`).
   */
  resumed: { replayed: number; truncated: boolean; servedBy?: string };
  /**
   * The server asked the connection to move (a container draining) and the client moved to a new
   * one without a gap (make before break): emitted once the new one has resumed, just before its
   * `resumed`. `state` stays `connected`. `from`: the server the old connection was on, when known.
   */
  moved: { from?: string };
  /**
   * The server asked the connection to move, but the new connection could not take over. `reason`:
   * `token: ...` (the token source failed, or `token: another user`), `closed: ...` (the new
   * connection closed before its resume), `resume: ...` (its resume failed). Nothing is lost and
   * `state` stays `connected`: the old connection carries on until its server closes it, then the
   * client reconnects at once. For logs and metrics (a deploy whose clients cannot move is one
   * whose load balancer will cut them).
   */
  moveFailed: { reason: string };
  /** Server complaints, auth failures, and skipped notifications (`MalformedNotificationError`). */
  error: SyncbellError;
} & {
  /** Only envelopes this SDK knows in full (`isKnownNotification`), typed as `Notification`. */
  [T in NotificationType]: { notification: Notification; meta: DeliveryMeta };
};

export type TokenSource = string | (() => string | Promise<string>);

export interface ClientOptions {
  transport: Transport;
  /** Backend URL: the load balancer for Socket.io, the `wss://` stage URL for API Gateway. */
  url: string;
  /** A token, or a function returning a fresh one; called before every (re)connect. */
  token: TokenSource;
  /** Resume after this id on the first connect; wins over a stored position. @default undefined */
  resumeAfter?: string;
  /**
   * Where the resume position is kept between page loads, per backend URL and per user (the
   * token's `sub`): after each notification handed to the app, and the resume answer's `cursor`
   * before the first one. A reloaded page resumes from it and gets what it missed, `replayed`.
   * `'session'`: this tab only; `'local'`: shared by the origin's tabs; or a storage of your own.
   * @default 'session' where `globalThis.sessionStorage` exists (browsers), else 'off'
   */
  positionStorage?: PositionStorage;
  /** @default 1000 (socket.io-client's `reconnectionDelay`) */
  minReconnectDelayMs?: number;
  /** Not below `minReconnectDelayMs`. @default 5000 (socket.io-client's `reconnectionDelayMax`) */
  maxReconnectDelayMs?: number;
  /** How many notification ids to remember for dedupe. @default 1000 */
  dedupeCapacity?: number;
  /** @default 10000 */
  connectTimeoutMs?: number;
  /** Connect on the next microtask (listeners added right after `createClient` see every state). @default true */
  autoConnect?: boolean;
  /** Injectable for tests. @default Math.random */
  random?: () => number;
  /** Injectable for tests. @default Date.now */
  now?: () => number;
}

type ResolvedOptions = Required<Omit<ClientOptions, 'resumeAfter' | 'positionStorage'>> & {
  resumeAfter: string | undefined;
  positionStorage: PositionStorage | undefined;
};

export interface SyncbellClient {
  readonly state: ClientState;
  /** Id of the last notification handed to the app; what the next resume asks after. */
  readonly lastSeenId: string | undefined;
  /** Which server answered the last resume (ECS: the container id), when known. */
  readonly servedBy: string | undefined;
  on<K extends keyof ClientEvents>(type: K, handler: (event: ClientEvents[K]) => void): () => void;
  connect(): void;
  /** Closes for good (until `connect()` is called again). */
  close(): void;
}

export function createClient(options: ClientOptions): SyncbellClient {
  const config: ResolvedOptions = {
    minReconnectDelayMs: 1000,
    maxReconnectDelayMs: 5000,
    dedupeCapacity: 1000,
    connectTimeoutMs: 10_000,
    autoConnect: true,
    random: Math.random,
    now: Date.now,
    ...options,
    resumeAfter: options.resumeAfter,
    positionStorage: checkPositionStorage(options.positionStorage),
  };
  checkClientOptions(config);
  const client = new Client(config);
  // On the next microtask, not at once: listeners the app adds right after createClient() (as
  // docs/CLIENT.md's example does) see the first `connecting`. A close() before then wins.
  if (config.autoConnect) {
    const generation = client.generation;
    queueMicrotask(() => {
      if (client.generation === generation) client.connect();
    });
  }
  return client;
}

/** The timing and size options, refused with a `ConfigError` naming each bad one (as the transports do). */
function checkClientOptions(config: ResolvedOptions): void {
  const { minReconnectDelayMs, maxReconnectDelayMs, connectTimeoutMs, dedupeCapacity } = config;
  const problems = durationProblems({ minReconnectDelayMs, maxReconnectDelayMs, connectTimeoutMs });
  if (problems.length === 0 && maxReconnectDelayMs < minReconnectDelayMs)
    problems.push('maxReconnectDelayMs must not be below minReconnectDelayMs');
  problems.push(...countProblems('dedupeCapacity', dedupeCapacity));
  refuseProblems('createClient', problems);
}

/** A connection opened beside the current one (see `Client.#successor`); `connection` once its token is in. */
interface Successor {
  id: number;
  connection?: TransportConnection;
  /** Live notifications it received before its replay answer. */
  held: ReceivedNotification[];
}

class Client implements SyncbellClient {
  readonly #config: ResolvedOptions;
  readonly #events = new TypedEmitter<ClientEvents>();
  readonly #seen: BoundedIdSet;
  readonly #position: PositionStore;
  #state: ClientState = ClientState.Disconnected;
  #connection: TransportConnection | undefined;
  /** Where connection ids come from: every open, handover and close() takes the next one. */
  #ids = 0;
  /** The current connection's id; a callback from any other connection (but the successor) is ignored. */
  #generation = 0;
  /**
   * The connection opened beside the current one when its server asked it to move (a container
   * draining): make before break. It resumes while the current one still delivers; once its replay
   * is in, it becomes the current one and the old one is closed, so no notification waits for a
   * reconnect and the app sees no `connecting`.
   */
  #successor: Successor | undefined;
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the current connection resumed: it resets the backoff once it has lasted `maxReconnectDelayMs`. */
  #resumedAtMs: number | undefined;
  #lastSeenId: string | undefined;
  #servedBy: string | undefined;
  /** Live notifications that arrived while the resume answer was pending. */
  #held: ReceivedNotification[] | undefined;
  /**
   * The log's newest id as of the last resume (its answer's `cursor`), or as of the last keep-alive
   * that showed everything newer handed over: a keep-alive naming another `latest` means the log
   * grew since, and unless its `recent` shows what grew arrived, the client resumes after this
   * (position.ts says why not after `lastSeenId`).
   */
  #checkpoint: string | undefined;

  constructor(config: ResolvedOptions) {
    this.#config = config;
    this.#seen = new BoundedIdSet(config.dedupeCapacity);
    this.#lastSeenId = config.resumeAfter;
    this.#position = new PositionStore(config.positionStorage, config.url);
  }

  /** Bumped by every open and close: stale callbacks compare it. Internal. */
  get generation(): number {
    return this.#generation;
  }

  get state(): ClientState {
    return this.#state;
  }
  get lastSeenId(): string | undefined {
    return this.#lastSeenId;
  }
  get servedBy(): string | undefined {
    return this.#servedBy;
  }

  on<K extends keyof ClientEvents>(type: K, handler: (event: ClientEvents[K]) => void): () => void {
    return this.#events.on(type, handler);
  }

  connect(): void {
    if (this.#state !== ClientState.Disconnected) return;
    this.#position.watchPage();
    this.#attempt = 0;
    this.#resumedAtMs = undefined;
    this.#setState(ClientState.Connecting);
    void this.#open();
  }

  close(): void {
    this.#generation = ++this.#ids;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    const connection = this.#connection;
    this.#connection = undefined;
    this.#held = undefined;
    connection?.close();
    this.#dropSuccessor();
    this.#position.unwatch();
    this.#setState(ClientState.Disconnected, {
      code: DisconnectCode.ClientClose,
      reason: 'closed by the app',
      reconnect: false,
    });
  }

  async #open(): Promise<void> {
    const generation = ++this.#ids;
    this.#generation = generation;
    let token: string;
    try {
      token = typeof this.#config.token === 'function' ? await this.#config.token() : this.#config.token;
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#handleDisconnect(generation, {
        code: DisconnectCode.TokenSourceFailed,
        reason: `token source failed: ${error instanceof Error ? error.message : String(error)}`,
        reconnect: true,
      });
      return;
    }
    if (generation !== this.#generation) return;
    const position = this.#position.select(token);
    // A new page's first connect takes the stored position (an explicit `resumeAfter` wins); a
    // token for another user drops the previous user's position for the new user's own.
    if (position.changed && (!position.first || this.#lastSeenId === undefined))
      this.#lastSeenId = position.stored;
    this.#held = [];
    this.#connection = this.#openConnection(generation, token);
  }

  /**
   * The server asked the current connection to move (`syncbell:draining`): open its successor now,
   * while the current one still delivers (see `#successor`). Should the successor fail, nothing
   * changes: the server closes the old connection when its grace ends, and the client reconnects
   * at once as before.
   */
  async #moveRequested(generation: number): Promise<void> {
    if (generation !== this.#generation || this.#successor || this.#state !== ClientState.Connected) return;
    const successor: Successor = { id: ++this.#ids, held: [] };
    this.#successor = successor;
    let token: string;
    try {
      token = typeof this.#config.token === 'function' ? await this.#config.token() : this.#config.token;
    } catch (error) {
      if (this.#successor !== successor) return;
      this.#successor = undefined;
      this.#moveFailed(`token: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (this.#successor !== successor) return;
    // Another user's token mid-session: no handover; the reconnect after the close selects anew.
    if (!this.#position.isCurrentUser(token)) {
      this.#successor = undefined;
      this.#moveFailed('token: another user');
      return;
    }
    successor.connection = this.#openConnection(successor.id, token);
  }

  #moveFailed(reason: string): void {
    this.#events.emit('moveFailed', { reason });
  }

  #dropSuccessor(): void {
    const successor = this.#successor;
    this.#successor = undefined;
    successor?.connection?.close();
  }

  /** Opens a transport connection whose callbacks count while `id` is the current connection or the successor. */
  #openConnection(id: number, token: string): TransportConnection {
    const successorNow = () => (this.#successor?.id === id ? this.#successor : undefined);
    return this.#config.transport.open(
      { url: this.#config.url, token, connectTimeoutMs: this.#config.connectTimeoutMs },
      {
        onOpen: () => {
          if (id === this.#generation || successorNow()) void this.#resume(id);
        },
        onNotification: (raw) => {
          const successor = successorNow();
          if (id !== this.#generation && !successor) return;
          const notification = this.#validate(raw, false);
          if (!notification) return;
          if (successor) successor.held.push(notification);
          else if (this.#held) this.#held.push(notification);
          else this.#deliver(notification, false);
        },
        onResync: () => this.#resync(id),
        onPosition: (frame) => {
          if (id !== this.#generation || this.#held) return;
          const checkpoint = this.#checkpoint ?? this.#lastSeenId;
          const position = readLatest(frame);
          if (!missedPosition(position, checkpoint)) return;
          // Everything newer than the checkpoint already handed over: nothing to resume for.
          if (caughtUpTo(frame, checkpoint, (seen) => this.#seen.has(seen))) this.#checkpoint = position;
          else this.#resync(id, { after: checkpoint, position });
        },
        onServerError: (code, message) => {
          if (id === this.#generation || successorNow()) this.#emitError(code, message);
        },
        onMoveRequested: () => void this.#moveRequested(id),
        onClose: (reason) => {
          // A successor that failed before taking over: the current connection carries on.
          if (successorNow()) {
            this.#successor = undefined;
            this.#moveFailed(`closed: ${reason.reason}`);
          } else this.#handleDisconnect(id, reason);
        },
      },
    );
  }

  /**
   * Resumes again on the open connection, holding live notifications until the replay answer is
   * in, so order is kept. A keep-alive's position resumes after the checkpoint instead of `lastSeenId`.
   */
  #resync(generation: number, from?: { after: string | undefined; position: string | undefined }): void {
    if (generation !== this.#generation || this.#held) return;
    this.#held = [];
    void this.#resume(generation, from);
  }

  async #resume(
    generation: number,
    from: { after: string | undefined; position: string | undefined } = {
      after: this.#lastSeenId,
      position: undefined,
    },
  ): Promise<void> {
    const successor = this.#successor?.id === generation ? this.#successor : undefined;
    const connection = successor ? successor.connection : this.#connection;
    if (!connection) return;
    try {
      // The deadline grows with the failures since the last stable connection (resumeDeadlineMs).
      const failures = this.#resumedAtMs === undefined ? this.#attempt : 0;
      const answer = await connection.resume(from.after, failures);
      // A successor whose replay is in takes over (unless the old connection closed first and it
      // was adopted already); the old connection is closed from this side.
      const movedFrom = this.#servedBy;
      const moved = successor !== undefined && this.#successor === successor;
      if (moved) this.#takeOver(successor);
      if (generation !== this.#generation) return;
      // An older server sends no cursor: the position that asked is then the checkpoint.
      this.#checkpoint = answer.cursor ?? from.position ?? this.#checkpoint;
      this.#servedBy = answer.servedBy;
      // Each entry on its own: one a newer server wrote badly is skipped, never the whole replay.
      let replayed = 0;
      for (const raw of answer.notifications) {
        const notification = this.#validate(raw, true);
        if (!notification) continue;
        replayed++;
        this.#deliver(notification, true);
      }
      const held = this.#held ?? [];
      this.#held = undefined;
      for (const notification of held) this.#deliver(notification, false);
      // Nothing seen yet: remember where the log stood, so a reconnect replays from there.
      if (this.#lastSeenId === undefined && answer.cursor !== undefined) {
        this.#lastSeenId = answer.cursor;
        this.#position.save(answer.cursor);
      }
      // Success resets the backoff once the connection has proved stable (see #handleDisconnect).
      this.#resumedAtMs ??= this.#config.now();
      if (this.#state !== ClientState.Connected) this.#setState(ClientState.Connected);
      if (moved) this.#events.emit('moved', movedFrom === undefined ? {} : { from: movedFrom });
      this.#events.emit('resumed', {
        replayed,
        truncated: answer.truncated,
        ...(answer.servedBy === undefined ? {} : { servedBy: answer.servedBy }),
      });
    } catch (error) {
      if (successor && this.#successor === successor) {
        // The successor could not resume: drop it; the current connection carries on.
        this.#dropSuccessor();
        this.#moveFailed(`resume: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      if (generation !== this.#generation) return;
      const code = isWireError(error) ? error.code : DisconnectCode.ResumeFailed;
      this.#connection?.close();
      this.#handleDisconnect(generation, {
        code,
        reason: `resume failed: ${error instanceof Error ? error.message : String(error)}`,
        reconnect: !TERMINAL_ERROR_CODES.has(code),
      });
    }
  }

  /**
   * The successor becomes the current connection (the old one, if still open, is closed from this
   * side); what it held is delivered after its replay.
   */
  #takeOver(successor: Successor): void {
    const old = this.#connection;
    this.#successor = undefined;
    this.#generation = successor.id;
    this.#connection = successor.connection;
    this.#held = successor.held;
    old?.close();
  }

  /**
   * The tolerant reader (see "Evolving the contract"): what the client needs to work is checked,
   * the rest passed on. A malformed entry is reported once per id, then dropped like a repeat.
   */
  #validate(raw: unknown, replayed: boolean): ReceivedNotification | undefined {
    const problems = notificationProblems(raw);
    if (problems.length === 0) return raw as ReceivedNotification;
    const id = readableNotificationId(raw);
    if (id !== undefined && !this.#seen.add(id)) return undefined;
    const detail = problems.slice(0, 3).join('; ');
    this.#events.emit('error', new MalformedNotificationError(id, replayed, detail));
    return undefined;
  }

  #deliver(notification: ReceivedNotification, replayed: boolean): void {
    if (!this.#seen.add(notification.id)) return;
    this.#lastSeenId = notification.id;
    const receivedAtMs = this.#config.now();
    const event = {
      notification,
      meta: { replayed, latencyMs: receivedAtMs - notification.createdAtMs, receivedAtMs },
    };
    this.#events.emit('notification', event);
    if (isKnownNotification(notification))
      this.#events.emit(notification.type, { notification, meta: event.meta });
    // After the hand-off: a page unloaded from here on resumes after this one, not before it.
    this.#position.save(notification.id);
  }

  /** The one disconnect path: every failure, close and drain comes through here. */
  #handleDisconnect(generation: number, reason: DisconnectReason): void {
    if (generation !== this.#generation) return;
    this.#generation = ++this.#ids;
    this.#connection = undefined;
    this.#held = undefined;
    const successor = this.#successor;
    if (successor?.connection && reason.reconnect) {
      // The old connection closed before its successor resumed: the successor is the reconnect.
      this.#takeOver(successor);
      this.#setState(ClientState.Connecting, reason);
      return;
    }
    this.#dropSuccessor();
    // A connection that stayed up resumed for maxReconnectDelayMs was a success: the backoff starts
    // afresh. One dropped sooner (a server that accepts and drops) keeps counting, so a flapping
    // server never gets a client's first-attempt delay twice in a row.
    if (
      this.#resumedAtMs !== undefined &&
      this.#config.now() - this.#resumedAtMs >= this.#config.maxReconnectDelayMs
    )
      this.#attempt = 0;
    this.#resumedAtMs = undefined;
    const reported: string[] = [ErrorCode.InvalidToken, ErrorCode.TokenExpired, ErrorCode.RateLimited];
    if (typeof reason.code === 'string' && reported.includes(reason.code)) {
      this.#emitError(reason.code, reason.reason);
    }
    // A static token that expired will not get better by retrying it.
    const tokenDead = reason.code === ErrorCode.TokenExpired && typeof this.#config.token === 'string';
    if (!reason.reconnect || tokenDead) {
      this.#setState(ClientState.Disconnected, reason);
      return;
    }
    const ownDelayMs = reason.immediate
      ? Math.min(
          this.#config.minReconnectDelayMs,
          backoff(0, this.#config.minReconnectDelayMs, this.#config.maxReconnectDelayMs, this.#config.random),
        )
      : reconnectBackoff(
          // A refusal without a hint (a 503 whose Retry-After the client cannot read) waits the floor at least.
          reason.code === ErrorCode.RateLimited ? Math.max(1, this.#attempt) : this.#attempt,
          this.#config.minReconnectDelayMs,
          this.#config.maxReconnectDelayMs,
          this.#config.random,
        );
    // A server pacing a reconnect storm says when to come back; its hint wins, capped.
    const delayMs = delayWithHint(ownDelayMs, reason.retryAfterMs);
    this.#attempt++;
    this.#setState(ClientState.Connecting, reason);
    const scheduledGeneration = this.#generation;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (scheduledGeneration === this.#generation && this.#state === ClientState.Connecting)
        void this.#open();
    }, delayMs);
  }

  #emitError(code: string, message: string): void {
    this.#events.emit('error', errorFromServer(code, message));
  }

  #setState(newState: ClientState, reason?: DisconnectReason): void {
    const oldState = this.#state;
    if (oldState === newState && newState !== ClientState.Connecting) return;
    this.#state = newState;
    this.#events.emit('state', { oldState, newState, attempt: this.#attempt, ...(reason ? { reason } : {}) });
  }
}
