/** Every count and duration a run uses; `quick` is the CI smoke, `full` the published figures. */
export interface Profile {
  name: 'quick' | 'full';
  /** Measured runs per figure (after one warm-up). */
  runs: number;
  /** Unicast: connection counts (the last is the headline) and rate. */
  unicastConnections: number[];
  unicastRatePerSecond: number;
  unicastSeconds: number;
  warmupNotifications: number;
  /** Broadcast: connections of one user, notifications per run. */
  fanoutConnections: number;
  /** Capacity: connections opened against one server process. */
  capacityConnections: number;
  rampPerSecond: number;
  wireNotifications: number;
  /** Silent drop: connections, drop length, publish rate during it. */
  dropConnections: number;
  dropMs: number;
  dropRatePerSecond: number;
  /** Heartbeats for every contender (socket.io's pingInterval / pingTimeout). */
  heartbeat: { intervalMs: number; timeoutMs: number };
  /** Idle timeout of the proxy for the lifecycle table (heartbeats off). */
  idleTimeoutMs: number;
  stickyClients: number;
  stickySeconds: number;
  /** Load balancer processes in front of socket.io + Redis (each holds 2 files per connection). */
  extraBalancers: number;
  sourceAddresses: number;
}

export const PROFILES: Record<Profile['name'], Profile> = {
  quick: {
    name: 'quick',
    runs: 2,
    unicastConnections: [10, 40],
    unicastRatePerSecond: 100,
    unicastSeconds: 0.5,
    warmupNotifications: 20,
    fanoutConnections: 20,
    capacityConnections: 60,
    rampPerSecond: 400,
    wireNotifications: 10,
    dropConnections: 4,
    // Longer than heartbeat interval + timeout, so both sides can notice while the path is dead.
    dropMs: 3500,
    dropRatePerSecond: 20,
    // The ECS service accepts heartbeats of 1 s at the least.
    heartbeat: { intervalMs: 1000, timeoutMs: 1000 },
    idleTimeoutMs: 800,
    stickyClients: 4,
    stickySeconds: 1,
    extraBalancers: 0,
    sourceAddresses: 2,
  },
  full: {
    name: 'full',
    runs: 3,
    unicastConnections: [1_000, 5_000, 10_000],
    unicastRatePerSecond: 500,
    unicastSeconds: 10,
    warmupNotifications: 500,
    fanoutConnections: 10_000,
    capacityConnections: 19_500,
    rampPerSecond: 1_000,
    wireNotifications: 200,
    dropConnections: 50,
    dropMs: 60_000,
    dropRatePerSecond: 20,
    // socket.io's defaults: the seed's "drops are detected in ~25 s" is about these.
    heartbeat: { intervalMs: 25_000, timeoutMs: 20_000 },
    idleTimeoutMs: 10_000,
    stickyClients: 50,
    stickySeconds: 10,
    extraBalancers: 2,
    sourceAddresses: 8,
  },
};
