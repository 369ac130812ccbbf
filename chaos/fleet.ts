import {
  type Fleet as LoadFleet,
  loopbackAddresses,
  startFleet as startLoadFleet,
} from '../benchmarks/load/fleet.js';
import type { ReportedEvent } from '../benchmarks/load/protocol.js';
import type { ClientEvents, ClientState, StateChange } from '../shared/client/client.js';
import { TypedEmitter } from '../shared/client/events.js';
import { createClient, type SyncbellClient, type Transport } from '../shared/client/index.js';
import { SyncbellError } from '../shared/contract/index.js';
import type { DeliveryLedger } from './ledger.js';

/**
 * SDK clients run in client processes (benchmarks/load/client-process.ts) instead of this one:
 * a process holds at most 20,000 files, and the storms' 10,000 clients do not fit beside the
 * stack. Each client's events come back over IPC and are replayed on a `SyncbellClient` stand-in
 * here, so the scenarios, the ledger and the fleet's counters read them as they read in-process
 * clients (late by the client process's report batching, at most 20 ms, plus the IPC).
 */
export interface ClientProcesses {
  count: number;
  kind: 'socketio' | 'apigw';
  /** Where the clients connect, round robin (the load balancer's nodes). */
  urls: string[];
  /** The stack's JWT secret: the clients sign their own tokens. */
  jwtSecret: string;
  /** The SDK transport's timings. @default the transport's */
  transport?: { keepAliveIntervalMs?: number; pongTimeoutMs?: number; resumeTimeoutMs?: number };
  /** New connections per second while the fleet comes up, over all processes. @default 500 */
  rampPerSecond?: number;
}

/** The SDK surface of a client in a client process: its reported events, replayed. */
class ReportedClient implements SyncbellClient {
  state: ClientState = 'disconnected';
  lastSeenId: string | undefined;
  servedBy: string | undefined;
  /** When the event being replayed happened, on the client process's clock (the same machine's). */
  atMs = 0;
  readonly #events = new TypedEmitter<ClientEvents>();
  on<K extends keyof ClientEvents>(type: K, handler: (event: ClientEvents[K]) => void): () => void {
    return this.#events.on(type, handler);
  }
  /** The client process connects it (its ramp). */
  connect(): void {}
  /** Closed with its process's session (`Fleet.close`). */
  close(): void {}
  replay(reported: ReportedEvent): void {
    this.atMs = reported.atMs;
    if (reported.event === 'state') {
      this.state = reported.payload.newState as ClientState;
      this.#events.emit('state', reported.payload as StateChange);
    } else if (reported.event === 'resumed') {
      this.servedBy = reported.payload.servedBy ?? this.servedBy;
      this.#events.emit('resumed', reported.payload);
    } else if (reported.event === 'moved') {
      this.#events.emit('moved', reported.payload);
    } else if (reported.event === 'moveFailed') {
      this.#events.emit('moveFailed', reported.payload);
    } else if (reported.event === 'notification') {
      const payload = reported.payload as unknown as ClientEvents['notification'];
      this.lastSeenId = payload.notification.id;
      this.#events.emit('notification', payload);
    } else
      this.#events.emit('error', new SyncbellError(reported.payload.code as never, reported.payload.message));
  }
}

export interface FleetOptions {
  ledger: DeliveryLedger;
  url: string;
  /** A different URL for some clients (e.g. through their own `FaultProxy`). @default `url` for all */
  urlFor?: (label: string) => string | undefined;
  /** A transport per client (the socket.io one tags each client in its query string). */
  transport(label: string): Transport;
  token(userId: string): Promise<string>;
  users: string[];
  /** SDK clients per user. @default 1 */
  clientsPerUser?: number;
  /** Connection attempts in flight at once while the fleet comes up. @default 10 */
  connectConcurrency?: number;
  /** @default 100 */
  minReconnectDelayMs?: number;
  /** @default 2000 */
  maxReconnectDelayMs?: number;
  /** @default 10000 */
  connectTimeoutMs?: number;
  /** Run the clients in client processes (`transport`, `token` and `url` are then not used). @default in this process */
  processes?: ClientProcesses;
}

export interface FleetMember {
  label: string;
  userId: string;
  client: SyncbellClient;
  /** connected -> connecting transitions: the connection was cut (or its server closed it before the client moved). */
  cuts: number;
  /** Moves without a gap (`moved`: make before break, a draining server asked). */
  moves: number;
  /** Why each asked-for move could not take over (`moveFailed`), in order. */
  moveFailures: string[];
  /** Disconnect reason codes seen, in order. */
  reasons: (string | number)[];
  /** Every resume answer, each client's first (when the fleet came up) included. */
  resumes: number;
  /**
   * Of those, the ones on a connection that had resumed already (a keep-alive's position showed a
   * gap, a server asked for a resync): the SDK resumes again without reconnecting.
   */
  resyncs: number;
  truncatedResumes: number;
  replayed: number;
  /** What the client reported on `error` (server complaints, skipped malformed notifications). */
  errors: SyncbellError[];
  /**
   * When the event its handlers are running for happened: now for a client in this process, the
   * client process's own time for one there (its events arrive up to a batch later).
   */
  eventAtMs(): number;
}

/**
 * The member was told to move by a draining server: it moved without a gap (`moved`), or the server
 * closed it first and it reconnected with `server_shutting_down`.
 */
export function toldToMove(member: FleetMember): boolean {
  return member.moves > 0 || member.reasons.includes('server_shutting_down');
}

/**
 * Watches `members` from now on (the moment a fault starts): for each one connected now, how long
 * until its state left `connected`. `stop()` ends the watch and returns the watched count and the
 * times of those that noticed (silent-drop detection; see `summarizeDetection`).
 */
export function watchDetection(members: FleetMember[]): {
  stop(): { watched: number; detectedMs: number[] };
} {
  const startedAtMs = Date.now();
  const watched = members.filter((m) => m.client.state === 'connected');
  const detectedMs = new Map<string, number>();
  const unsubscribe = watched.map((m) =>
    m.client.on('state', ({ oldState }) => {
      if (oldState === 'connected' && !detectedMs.has(m.label))
        detectedMs.set(m.label, Date.now() - startedAtMs);
    }),
  );
  return {
    stop() {
      for (const off of unsubscribe) off();
      return { watched: watched.length, detectedMs: [...detectedMs.values()] };
    },
  };
}

export interface Fleet {
  readonly members: FleetMember[];
  /** Resolves when every member has connected and resumed once. */
  ready(timeoutMs?: number): Promise<void>;
  /** Resolves when every member is connected (after a fault). */
  allConnected(timeoutMs?: number): Promise<boolean>;
  /** Resolves true when `condition` holds (re-checked on every client event), false after `timeoutMs`. */
  waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean>;
  totals(): {
    cuts: number;
    moves: number;
    resumes: number;
    resyncs: number;
    truncatedResumes: number;
    replayed: number;
  };
  /** The totals as one report line. */
  describe(): string;
  /** The client processes' ids (`processes`); none while the fleet comes up or in-process. */
  processPids(): number[];
  close(): Promise<void>;
}

/** Many SDK clients, each feeding the ledger with exactly what it hands its app. */
export function startFleet(options: FleetOptions): Fleet {
  const perUser = options.clientsPerUser ?? 1;
  const members: FleetMember[] = [];
  const pokes = new Set<() => void>();
  // While a batch of reported events is replayed, the waits are re-checked once, after it.
  let replaying = false;
  const poke = () => {
    if (replaying) return;
    for (const fn of [...pokes]) fn();
  };
  const reported = new Map<string, ReportedClient>();
  for (const userId of options.users) {
    for (let i = 0; i < perUser; i++) {
      const label = `${userId}#${i}`;
      const remote = options.processes ? new ReportedClient() : undefined;
      if (remote) reported.set(label, remote);
      const client =
        remote ??
        createClient({
          transport: options.transport(label),
          url: options.urlFor?.(label) ?? options.url,
          token: () => options.token(userId),
          autoConnect: false,
          minReconnectDelayMs: options.minReconnectDelayMs ?? 100,
          maxReconnectDelayMs: options.maxReconnectDelayMs ?? 2000,
          connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
        });
      const member: FleetMember = {
        label,
        userId,
        client,
        cuts: 0,
        moves: 0,
        moveFailures: [],
        reasons: [],
        resumes: 0,
        resyncs: 0,
        truncatedResumes: 0,
        replayed: 0,
        errors: [],
        eventAtMs: () => remote?.atMs ?? Date.now(),
      };
      const surfaced = options.ledger.watch(label, userId);
      client.on('notification', ({ notification, meta }) => surfaced(notification, meta.receivedAtMs));
      client.on('error', (error) => {
        member.errors.push(error);
        poke();
      });
      // A resume that follows no new connection is a resync (the SDK turns `connected` before it
      // emits `resumed`, and only on a new connection).
      let freshConnection = false;
      client.on('state', (change) => {
        if (change.newState === 'connected') freshConnection = true;
        if (change.oldState === 'connected' && change.newState !== 'connected') member.cuts++;
        if (change.reason && change.newState !== 'connected') member.reasons.push(change.reason.code);
        poke();
      });
      client.on('moved', () => {
        member.moves++;
        freshConnection = true;
      });
      client.on('moveFailed', ({ reason }) => member.moveFailures.push(reason));
      client.on('resumed', (event) => {
        member.resumes++;
        if (!freshConnection) member.resyncs++;
        freshConnection = false;
        member.replayed += event.replayed;
        if (event.truncated) member.truncatedResumes++;
        poke();
      });
      members.push(member);
    }
  }

  const waitUntil = (condition: () => boolean, timeoutMs: number) =>
    new Promise<boolean>((resolve) => {
      if (condition()) return resolve(true);
      const timer = setTimeout(() => {
        pokes.delete(check);
        resolve(false);
      }, timeoutMs);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        pokes.delete(check);
        resolve(true);
      };
      pokes.add(check);
    });

  let clientProcesses: LoadFleet | undefined;
  const connectInProcesses = async (spec: ClientProcesses) => {
    clientProcesses = await startLoadFleet({
      kind: spec.kind,
      urls: spec.urls,
      userIds: members.map((m) => m.userId),
      labels: members.map((m) => m.label),
      // Ephemeral ports are per source address: 10,000 clients and the stand-in's own upstream
      // connections share 127.0.0.1's ~28,000 otherwise.
      localAddresses: loopbackAddresses(4),
      rampPerSecond: spec.rampPerSecond ?? 500,
      resume: true,
      heartbeatIntervalMs: 30_000,
      heartbeatTimeoutMs: 10_000,
      reconnect: true,
      reconnectMinMs: options.minReconnectDelayMs ?? 100,
      reconnectMaxMs: options.maxReconnectDelayMs ?? 2000,
      keepAlive: false,
      sdk: true,
      report: true,
      jwtSecret: spec.jwtSecret,
      ...(spec.transport ? { sdkTransport: spec.transport } : {}),
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      processes: spec.count,
      onEvents(events) {
        replaying = true;
        try {
          for (const event of events) reported.get(event.label)?.replay(event);
        } finally {
          replaying = false;
        }
        poke();
      },
    });
    if (clientProcesses.connected === 0 && clientProcesses.failed === members.length)
      throw new Error(
        `no client in the client processes could open: ${clientProcesses.failureSamples.join('; ')}`,
      );
  };

  const connectAll = (async () => {
    if (options.processes) return connectInProcesses(options.processes);
    const concurrency = options.connectConcurrency ?? 10;
    let next = 0;
    const worker = async () => {
      while (next < members.length) {
        const member = members[next++] as FleetMember;
        member.client.connect();
        await waitUntil(() => member.resumes > 0, 20_000);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, members.length) }, worker));
  })();

  return {
    members,
    async ready(timeoutMs = 60_000) {
      await connectAll;
      const ok = await waitUntil(() => members.every((m) => m.resumes > 0), timeoutMs);
      if (!ok) {
        const missing = members
          .filter((m) => m.resumes === 0)
          .map((m) => `${m.label} (${m.reasons.join(',')})`);
        throw new Error(
          `fleet did not come up: ${missing.length} clients never resumed: ${missing.slice(0, 3).join('; ')}`,
        );
      }
    },
    waitUntil,
    allConnected: (timeoutMs = 30_000) =>
      waitUntil(() => members.every((m) => m.client.state === 'connected'), timeoutMs),
    totals: () =>
      members.reduce(
        (sum, m) => ({
          cuts: sum.cuts + m.cuts,
          moves: sum.moves + m.moves,
          resumes: sum.resumes + m.resumes,
          resyncs: sum.resyncs + m.resyncs,
          truncatedResumes: sum.truncatedResumes + m.truncatedResumes,
          replayed: sum.replayed + m.replayed,
        }),
        { cuts: 0, moves: 0, resumes: 0, resyncs: 0, truncatedResumes: 0, replayed: 0 },
      ),
    describe() {
      const t = this.totals();
      // Each client's first resume (the fleet coming up) is counted apart: "resumes 4000" for
      // 2,000 clients cut once each read like a double resume, and was 2,000 first + 2,000 after.
      const first = members.filter((m) => m.resumes > 0).length;
      const failures = new Map<string, number>();
      for (const reason of members.flatMap((m) => m.moveFailures)) {
        const key = reason.slice(0, 100);
        failures.set(key, (failures.get(key) ?? 0) + 1);
      }
      const failed = [...failures.values()].reduce((a, b) => a + b, 0);
      const why = [...failures.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([reason, count]) => `${count} ${reason}`)
        .join('; ');
      return `client cuts ${t.cuts}, moves without a gap ${t.moves}, moves that could not take over ${failed}${failed > 0 ? ` (${why})` : ''}, resumes after the fleet came up ${t.resumes - first} (of which resyncs on an open connection ${t.resyncs}; truncated ${t.truncatedResumes}), replayed ${t.replayed}`;
    },
    processPids: () => clientProcesses?.pids ?? [],
    async close() {
      for (const member of members) member.client.close();
      await clientProcesses?.stop();
    },
  };
}
