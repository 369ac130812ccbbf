import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface EcsMetrics {
  registry: Registry;
  connections: Gauge;
  connectsTotal: Counter<'outcome'>;
  /** Handshakes accepted whose token check and first resume have not finished (server-paced reconnects). */
  handshakesInFlight: Gauge;
  notificationsSent: Counter<'path'>;
  deliveryLatency: Histogram;
  replayed: Counter;
  replaySkipped: Counter<'reason'>;
  clientErrors: Counter<'code'>;
}

/**
 * The container's registry: one per server instance (not prom-client's global), so tests can run
 * several in a process, labelled with the container, with the process metrics beside syncbell's.
 */
export function createContainerRegistry(containerId: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ container: containerId });
  // Process and runtime metrics (CPU, RSS, heap, event-loop lag, GC, open handles) under their
  // standard names (`process_*`, `nodejs_*`) so stock Node.js dashboards work; the registry's
  // `container` label tells the tasks apart, as it does for the syncbell_* metrics.
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * syncbell's `syncbell_*` metrics, registered in `registry` (the app's own, for `attachSyncbell`).
 * Throws prom-client's "already registered" error if the registry holds them already: one
 * attached syncbell per registry.
 */
export function registerEcsMetrics(registry: Registry): EcsMetrics {
  return {
    registry,
    connections: new Gauge({
      name: 'syncbell_connections',
      help: 'Open Socket.io connections on this container',
      registers: [registry],
    }),
    handshakesInFlight: new Gauge({
      name: 'syncbell_handshakes_in_flight',
      help: 'Connects accepted whose token check and first resume have not finished (0 unless maxHandshakesInFlight or maxEventLoopLagMs is set)',
      registers: [registry],
    }),
    connectsTotal: new Counter({
      name: 'syncbell_connects_total',
      help: 'Connection attempts by outcome (accepted, invalid_token, token_expired)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    notificationsSent: new Counter({
      name: 'syncbell_notifications_published_total',
      help: 'Notifications published from this container, by path (container or replay)',
      labelNames: ['path'],
      registers: [registry],
    }),
    deliveryLatency: new Histogram({
      name: 'syncbell_delivery_latency_seconds',
      // Once per notification per container, not per socket: see recordDeliveryLatency in attach/attach.ts.
      help: "From the publisher's createdAtMs to this container handing the notification to its local sockets; one observation per notification per container that delivers it, however many of the user's sockets it holds",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    replayed: new Counter({
      name: 'syncbell_replayed_total',
      help: 'Notifications sent in resume replays',
      registers: [registry],
    }),
    replaySkipped: new Counter({
      name: 'syncbell_replay_entries_skipped_total',
      help: 'Replay log entries left out of a read, by reason (unreadable: no readable id; another_user)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    clientErrors: new Counter({
      name: 'syncbell_client_errors_total',
      help: 'Frames refused, by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
  };
}
