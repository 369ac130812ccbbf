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
  /**
   * Scale (issue 16): the same connections and rate spread over each container count, classic
   * adapter against per-user channels; seconds of publishing per measured run.
   */
  scaleContainers: number[];
  scaleConnections: number;
  scaleRatePerSecond: number;
  scaleSeconds: number;
  /** Scale-cluster (issue 25): the container counts, each on one Redis node and on a Redis Cluster. */
  scaleClusterContainers: number[];
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
  /** Publishing goes on this long after the path is back. */
  dropTailMs: number;
  /** After the last publish, how long beyond one heartbeat cycle to wait for stragglers (the no-resume pass always waits it out). */
  dropSettleGraceMs: number;
  /** Run the with-resume and without-resume drop passes at the same time (separate users, one blackhole). */
  dropPassesTogether: boolean;
  /** Heartbeats for every contender (socket.io's pingInterval / pingTimeout). */
  heartbeat: { intervalMs: number; timeoutMs: number };
  /** Idle timeout of the proxy for the lifecycle table (heartbeats off). */
  idleTimeoutMs: number;
  stickyClients: number;
  stickySeconds: number;
  /** Load balancer processes in front of socket.io + Redis (each holds 2 files per connection). */
  extraBalancers: number;
  sourceAddresses: number;
  /** Pause before and after the capacity ramp so start-up garbage and the ramp's own settle. */
  capacitySettleMs: number;
  /** Pause between a warm-up and the first measured run. */
  warmupSettleMs: number;
  /**
   * Contenders measured side by side (each with its own Redis). Start-up and the drop windows are
   * mostly waiting, so overlapping them is what fits the CI smoke in a minute; its latency figures
   * then carry the other contenders' load. The full profile measures one contender at a time.
   */
  contenderConcurrency: number;
  /** Start the heartbeats-off instance together with the main one instead of after it. */
  overlapStarts: boolean;
}

export const PROFILES: Record<Profile['name'], Profile> = {
  quick: {
    name: 'quick',
    runs: 2,
    unicastConnections: [10, 40],
    unicastRatePerSecond: 200,
    unicastSeconds: 0.2,
    warmupNotifications: 10,
    // A tiny version, so CI exercises the scenario end to end: not a measurement.
    scaleContainers: [2, 4],
    scaleConnections: 40,
    scaleRatePerSecond: 100,
    scaleSeconds: 0.3,
    // One count: a cluster and two stacks per count is most of the smoke's minute already.
    scaleClusterContainers: [2],
    fanoutConnections: 20,
    capacityConnections: 60,
    rampPerSecond: 400,
    wireNotifications: 10,
    dropConnections: 4,
    // Longer than heartbeat interval + timeout (750 ms), so both sides can notice while the path is dead.
    dropMs: 1500,
    dropRatePerSecond: 20,
    dropTailMs: 500,
    dropSettleGraceMs: 500,
    dropPassesTogether: true,
    // Shrunk so detection fits the smoke's minute (the ECS service accepts 100 ms at the least). The
    // timeout is twice the interval: at 250 ms a long poll (held 250 ms) on the shared machine timed
    // out now and then and its deliveries were counted lost.
    heartbeat: { intervalMs: 250, timeoutMs: 500 },
    idleTimeoutMs: 600,
    stickyClients: 4,
    stickySeconds: 0.5,
    extraBalancers: 0,
    sourceAddresses: 2,
    capacitySettleMs: 100,
    warmupSettleMs: 50,
    contenderConcurrency: 3,
    overlapStarts: true,
  },
  full: {
    name: 'full',
    runs: 3,
    unicastConnections: [1_000, 5_000, 10_000],
    unicastRatePerSecond: 500,
    unicastSeconds: 10,
    warmupNotifications: 500,
    // Issue 16's size: 10,000 connections at 500/s (the unicast headline), over 2, 4 and 8 containers.
    scaleContainers: [2, 4, 8],
    scaleConnections: 10_000,
    scaleRatePerSecond: 500,
    scaleSeconds: 10,
    scaleClusterContainers: [2, 4, 8],
    fanoutConnections: 10_000,
    capacityConnections: 19_500,
    // At 1,000/s one socket.io container, sharing the 2 cores with the client processes, accepted
    // ~700 handshakes/s and 163 of 19,500 clients hit their 20 s connect timeout (2026-11-27).
    rampPerSecond: 500,
    wireNotifications: 200,
    dropConnections: 50,
    dropMs: 60_000,
    dropRatePerSecond: 20,
    dropTailMs: 1000,
    dropSettleGraceMs: 5000,
    dropPassesTogether: false,
    // socket.io's defaults: the seed's "drops are detected in ~25 s" is about these.
    heartbeat: { intervalMs: 25_000, timeoutMs: 20_000 },
    idleTimeoutMs: 10_000,
    stickyClients: 50,
    stickySeconds: 10,
    extraBalancers: 2,
    sourceAddresses: 8,
    capacitySettleMs: 500,
    warmupSettleMs: 200,
    contenderConcurrency: 1,
    overlapStarts: false,
  },
};
