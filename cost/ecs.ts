import { type CapacityFigures, DEFAULT_LABEL, type EcsOptionId } from './capacity.js';
import type { RegionPrices } from './prices.js';
import { type CostLine, type OptionCost, priceLine, sumLines } from './report.js';
import { DAYS_PER_MONTH, HOURS_PER_MONTH, SECONDS_PER_MONTH, type Workload } from './workload.js';

const MILLION = 1_000_000;
const GIB = 1024 ** 3;

/**
 * What differs between the four ECS transports besides measured capacity: framing bytes and
 * how keep-alive works. Byte counts are estimates from each protocol's format (issue 5,
 * scenario 4, will measure wire bytes); they move data-transfer and LCU lines by cents.
 */
export interface TransportProfile {
  label: string;
  defaultKeepaliveSeconds: number;
  keepaliveWhy: string;
  /** Bytes added around each delivered notification, server to client. */
  frameOverheadBytesOut: number;
  /** Bytes client to server per delivered notification (long polling: the next request). */
  perDeliveryBytesIn: number;
  keepaliveBytesOut: number;
  keepaliveBytesIn: number;
  /** HTTP upgrade or request, handshake, resume request and answer. */
  connectBytesIn: number;
  connectBytesOut: number;
  /** socket.io's Redis adapter sends every notification to every task; the others subscribe per user. */
  pubsubFanout: 'all-tasks' | 'user-tasks';
}

export const TRANSPORT_PROFILES: Record<EcsOptionId, TransportProfile> = {
  'ecs-socketio': {
    label: 'ECS + ALB: socket.io + Redis adapter',
    defaultKeepaliveSeconds: 25,
    keepaliveWhy: "socket.io's default pingInterval, below the ALB's 60 s idle timeout",
    frameOverheadBytesOut: 23,
    perDeliveryBytesIn: 0,
    keepaliveBytesOut: 3,
    keepaliveBytesIn: 7,
    connectBytesIn: 850,
    connectBytesOut: 320,
    pubsubFanout: 'all-tasks',
  },
  'ecs-ws': {
    label: 'ECS + ALB: raw ws + Redis pub/sub',
    defaultKeepaliveSeconds: 25,
    keepaliveWhy: 'same interval as socket.io, below the ALB 60 s idle timeout',
    frameOverheadBytesOut: 43,
    perDeliveryBytesIn: 0,
    keepaliveBytesOut: 2,
    keepaliveBytesIn: 6,
    connectBytesIn: 600,
    connectBytesOut: 250,
    pubsubFanout: 'user-tasks',
  },
  'ecs-sse': {
    label: 'ECS + ALB: SSE + Redis pub/sub',
    defaultKeepaliveSeconds: 25,
    keepaliveWhy: 'a comment line every 25 s, below the ALB 60 s idle timeout',
    frameOverheadBytesOut: 66,
    perDeliveryBytesIn: 0,
    keepaliveBytesOut: 9,
    keepaliveBytesIn: 0,
    connectBytesIn: 550,
    connectBytesOut: 250,
    pubsubFanout: 'user-tasks',
  },
  'ecs-longpoll': {
    label: 'ECS + ALB: HTTP long polling + Redis pub/sub',
    defaultKeepaliveSeconds: 25,
    keepaliveWhy: 'an idle poll is answered empty after 25 s, below the ALB 60 s idle timeout',
    frameOverheadBytesOut: 200,
    perDeliveryBytesIn: 450,
    keepaliveBytesOut: 200,
    keepaliveBytesIn: 450,
    connectBytesIn: 550,
    connectBytesOut: 250,
    pubsubFanout: 'user-tasks',
  },
};

/** Sizing knobs of the ECS options. Every field is documented with its default. */
export interface EcsSizing {
  /** vCPU per Fargate task: Node runs JavaScript on one core. @default 1 */
  taskVcpu: number;
  /** Memory per task, GB (the Fargate minimum for 1 vCPU). @default 2 */
  taskMemoryGb: number;
  /** Share of a task's connection and CPU capacity kept free for bursts and a lost task. @default 0.25 */
  headroomFraction: number;
  /** Two tasks in two AZs, so one can fail or be replaced. @default 2 */
  minTasks: number;
  /** Process memory before any connection (Node, socket.io, Redis clients), bytes. @default 150 MB */
  baselineRssBytes: number;
  /**
   * Busiest-hour notification rate over the daily average rate; CPU is sized for it. A
   * constant, not peak/avg connections, so that more connections never lower the CPU estimate.
   * @default 3
   */
  peakNotificationFactor: number;
  /** Listener rules the ALB evaluates per request; the first 10 are free. @default 1 */
  albRulesPerRequest: number;
  /** How long the Redis replay log keeps a notification, hours. @default 24 */
  replayRetentionHours: number;
  /** Bytes of keys and fields stored with each log entry. @default 100 */
  logEntryOverheadBytes: number;
}

export const DEFAULT_ECS_SIZING: EcsSizing = {
  taskVcpu: 1,
  taskMemoryGb: 2,
  headroomFraction: 0.25,
  minTasks: 2,
  peakNotificationFactor: 3,
  baselineRssBytes: 150 * 1024 * 1024,
  albRulesPerRequest: 1,
  replayRetentionHours: 24,
  logEntryOverheadBytes: 100,
};

/** Connections a task may hold: the measured figure, unless its memory runs out first. */
export function connectionsPerTask(capacity: CapacityFigures, sizing: EcsSizing): number {
  if (capacity.rssBytesPerConnection === 0) return capacity.connectionsPerTask;
  const memoryBound = Math.floor(
    (sizing.taskMemoryGb * GIB * (1 - sizing.headroomFraction) - sizing.baselineRssBytes) /
      capacity.rssBytesPerConnection,
  );
  return Math.max(1, Math.min(capacity.connectionsPerTask, memoryBound));
}

/** ALB capacity units for one hour: the highest of the four dimensions is billed. */
export interface LcuDimensions {
  newConnectionsPerSecond: number;
  activeConnectionsPerMinute: number;
  processedGbPerHour: number;
  ruleEvaluationsPerSecond: number;
}

export function lcuFor(dimensions: LcuDimensions): { lcu: number; dimension: keyof LcuDimensions } {
  const candidates: [keyof LcuDimensions, number][] = [
    ['newConnectionsPerSecond', dimensions.newConnectionsPerSecond / 25],
    ['activeConnectionsPerMinute', dimensions.activeConnectionsPerMinute / 3000],
    ['processedGbPerHour', dimensions.processedGbPerHour / 1],
    ['ruleEvaluationsPerSecond', dimensions.ruleEvaluationsPerSecond / 1000],
  ];
  let best = candidates[0] as [keyof LcuDimensions, number];
  for (const candidate of candidates) if (candidate[1] > best[1]) best = candidate;
  return { dimension: best[0], lcu: best[1] };
}

/** ElastiCache Serverless bills 1 ECPU per KB transferred, at least 1 per command. */
export function ecpusFor(bytes: number): number {
  return Math.max(1, bytes / 1024);
}

export function ecsOptionCost(
  id: EcsOptionId,
  workload: Workload,
  capacity: CapacityFigures,
  prices: RegionPrices,
  sizing: EcsSizing = DEFAULT_ECS_SIZING,
): OptionCost {
  const profile = TRANSPORT_PROFILES[id];
  const keepaliveSeconds = workload.keepaliveSeconds ?? profile.defaultKeepaliveSeconds;
  const usable = 1 - sizing.headroomFraction;

  // Tasks: sized for the peak hour and kept all month. Scaling in drops live connections
  // (every client on a drained task reconnects), so WebSocket fleets are rarely scaled by the hour.
  const perTask = connectionsPerTask(capacity, sizing);
  const tasksForConnections = Math.ceil(workload.peakConnections / (perTask * usable));
  const deliveriesPerDay = workload.notificationsPerDay * workload.connectionsPerUser;
  const peakDeliveriesPerSecond = (deliveriesPerDay / 86_400) * sizing.peakNotificationFactor;
  const peakKeepalivesPerSecond = workload.peakConnections / keepaliveSeconds;
  // Each delivery and each keep-alive exchange is charged the measured CPU of one delivery:
  // an upper bound for a ping, about right for a long-poll cycle.
  const peakVcpu =
    ((peakDeliveriesPerSecond + peakKeepalivesPerSecond) * capacity.cpuSecondsPer1000Notifications) / 1000;
  const tasksForCpu = Math.ceil(peakVcpu / (sizing.taskVcpu * usable));
  const tasks = Math.max(sizing.minTasks, tasksForConnections, tasksForCpu);

  const arm = workload.arch === 'arm64';
  const lines: CostLine[] = [
    priceLine(
      `Fargate vCPU (${tasks} tasks x ${sizing.taskVcpu} vCPU, ${workload.arch})`,
      tasks * sizing.taskVcpu * HOURS_PER_MONTH,
      'vCPU-hour',
      arm ? prices.fargateVcpuHourArm64Usd : prices.fargateVcpuHourX86Usd,
    ),
    priceLine(
      `Fargate memory (${tasks} tasks x ${sizing.taskMemoryGb} GB)`,
      tasks * sizing.taskMemoryGb * HOURS_PER_MONTH,
      'GB-hour',
      arm ? prices.fargateGbHourArm64Usd : prices.fargateGbHourX86Usd,
    ),
  ];

  // Monthly traffic through the ALB and out to the internet.
  const connectsPerMonth = workload.connectsPerDay * DAYS_PER_MONTH;
  const deliveriesPerMonth = deliveriesPerDay * DAYS_PER_MONTH;
  const keepalivesPerMonth = (workload.avgConnections * SECONDS_PER_MONTH) / keepaliveSeconds;
  const bytesOut =
    deliveriesPerMonth * (workload.messageBytes + profile.frameOverheadBytesOut) +
    keepalivesPerMonth * profile.keepaliveBytesOut +
    connectsPerMonth * profile.connectBytesOut;
  const bytesIn =
    deliveriesPerMonth * profile.perDeliveryBytesIn +
    keepalivesPerMonth * profile.keepaliveBytesIn +
    connectsPerMonth * profile.connectBytesIn;
  const requestsPerSecond =
    (connectsPerMonth + (id === 'ecs-longpoll' ? deliveriesPerMonth + keepalivesPerMonth : 0)) /
    SECONDS_PER_MONTH;
  const lcu = lcuFor({
    newConnectionsPerSecond: connectsPerMonth / SECONDS_PER_MONTH,
    activeConnectionsPerMinute: workload.avgConnections,
    processedGbPerHour: (bytesIn + bytesOut) / GIB / HOURS_PER_MONTH,
    ruleEvaluationsPerSecond: requestsPerSecond * Math.max(0, sizing.albRulesPerRequest - 10),
  });
  lines.push(
    priceLine('ALB hours', HOURS_PER_MONTH, 'ALB-hour', prices.albHourUsd),
    priceLine(
      `ALB capacity units (billed on ${lcu.dimension})`,
      lcu.lcu * HOURS_PER_MONTH,
      'LCU-hour',
      prices.albLcuHourUsd,
    ),
  );

  // Redis: ElastiCache Serverless (Valkey). It is Multi-AZ by itself and, at this product's
  // volumes, cheaper than two cache nodes.
  const notificationsPerMonth = workload.notificationsPerDay * DAYS_PER_MONTH;
  const logEntryBytes = workload.messageBytes + sizing.logEntryOverheadBytes;
  const storedGb = Math.max(
    0.1,
    (workload.notificationsPerDay * (sizing.replayRetentionHours / 24) * logEntryBytes) / GIB,
  );
  const receivers =
    profile.pubsubFanout === 'all-tasks' ? tasks : Math.min(tasks, workload.connectionsPerUser);
  const ecpus =
    notificationsPerMonth * (ecpusFor(workload.messageBytes) * (1 + receivers) + ecpusFor(logEntryBytes)) +
    connectsPerMonth * ecpusFor(256);
  lines.push(
    priceLine(
      'ElastiCache Serverless (Valkey) data stored',
      storedGb * HOURS_PER_MONTH,
      'GB-hour',
      prices.elasticacheServerlessValkeyGbHourUsd,
    ),
    priceLine(
      'ElastiCache Serverless (Valkey) processing',
      ecpus,
      'ECPU',
      prices.elasticacheServerlessValkeyEcpuPerMillionUsd,
      MILLION,
    ),
    priceLine('Data transfer out to the internet', bytesOut / GIB, 'GB', prices.dataTransferOutGbUsd),
  );

  const label = (figure: number, unit: string) =>
    `${figure.toLocaleString('en-US', { maximumSignificantDigits: 6 })} ${unit} (${capacity.measured ? 'measured' : DEFAULT_LABEL})`;
  const assumptions = [
    `Capacity per task: ${label(capacity.connectionsPerTask, 'connections')}; basis: ${capacity.basis}.`,
    `CPU: ${label(capacity.cpuSecondsPer1000Notifications, 'CPU-seconds per 1,000 delivered notifications')}; each keep-alive exchange is charged as one delivery; the busiest hour carries ${sizing.peakNotificationFactor}x the average notification rate.`,
    `Memory: ${label(capacity.rssBytesPerConnection, 'bytes RSS per connection')} + ${Math.round(sizing.baselineRssBytes / 1024 / 1024)} MB per process; a ${sizing.taskMemoryGb} GB task holds at most ${perTask.toLocaleString('en-US')} connections.`,
    `Tasks: max(${sizing.minTasks} for high availability, ${tasksForConnections} for ${workload.peakConnections.toLocaleString('en-US')} peak connections, ${tasksForCpu} for CPU) = ${tasks}, with ${sizing.headroomFraction * 100}% headroom, sized for the peak hour and kept all month (scaling in drops live connections).`,
    `Keep-alive every ${keepaliveSeconds} s (${workload.keepaliveSeconds === null ? profile.keepaliveWhy : 'from --keepalive-seconds'}).${keepaliveSeconds >= 60 ? ' At 60 s or more the ALB idle timeout (default 60 s) must be raised to match.' : ''}`,
    `ALB: LCUs from the monthly average (${(connectsPerMonth / SECONDS_PER_MONTH).toFixed(3)} new connections/s, ${workload.avgConnections.toLocaleString('en-US')} active connections, ${((bytesIn + bytesOut) / GIB / HOURS_PER_MONTH).toFixed(4)} GB/h processed, ${sizing.albRulesPerRequest} rule per request of which 10 are free); the highest dimension (${lcu.dimension}) is billed.`,
    `Redis: ElastiCache Serverless (Valkey), replay log kept ${sizing.replayRetentionHours} h (${storedGb === 0.1 ? 'the 100 MB minimum' : `${storedGb.toFixed(3)} GB`}); ECPUs count the publish, ${profile.pubsubFanout === 'all-tasks' ? `its delivery to every task (${tasks}: the socket.io Redis adapter fans out to all servers)` : `its delivery to the tasks holding the user's connections (at most ${workload.connectionsPerUser})`}, the log append and one resume read per connect.`,
    `Wire bytes (estimated from the protocol format, not measured): ${profile.frameOverheadBytesOut} B framing per notification, ${profile.keepaliveBytesOut} B out / ${profile.keepaliveBytesIn} B in per keep-alive, ${profile.connectBytesOut} B out / ${profile.connectBytesIn} B in per connect.`,
    'Not included: NAT gateway or VPC endpoints, public IPv4 addresses, CloudWatch logs and metrics, ECR storage, the job workers that publish notifications.',
  ];
  return { id, label: profile.label, monthlyUsd: sumLines(lines), lines, assumptions };
}
