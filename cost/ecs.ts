import { type CapacityFigures, cpuPer1000At, DEFAULT_LABEL, type EcsOptionId } from './capacity.js';
import { DEFAULT_DEPLOYMENT, type EcsDeployment } from './deployed.js';
import { CostInputError } from './errors.js';
import { CACHE_NODE_TYPES, type CacheNodeType, type RegionPrices, valkeyNodeHour } from './prices.js';
import { type CostLine, type OptionCost, priceLine, stackOverheadLines, sumLines } from './report.js';
import { DAYS_PER_MONTH, HOURS_PER_MONTH, SECONDS_PER_MONTH, type Workload } from './workload.js';

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
  /**
   * syncbell's own keep-alive beside the transport's (issue 21): the SDK asks for the user's log
   * position every `intervalSeconds` (socketIoTransport's `keepAliveIntervalMs` default), the task
   * answers from one `XREVRANGE ... COUNT 1`, and the client resumes once after a round in which
   * the user's log grew. Only syncbell's socket.io variant has it. @default none
   */
  positionCheck?: { intervalSeconds: number; bytesOut: number; bytesIn: number };
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
    // `42n["syncbell:ping",{}]` in, `43n[{"serverTimeMs":...,"latest":"<ULID>"}]` out, with WebSocket framing.
    positionCheck: { intervalSeconds: 30, bytesOut: 77, bytesIn: 31 },
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

/** Sizing assumptions of the ECS options (the deployed sizes come from `EcsDeployment`). */
export interface EcsSizing {
  /** Share of a task's measured connection capacity kept free for bursts and a lost task. @default 0.25 */
  headroomFraction: number;
  /** Process memory before any connection (Node, socket.io, Redis clients), bytes. @default 150 MB */
  baselineRssBytes: number;
  /**
   * Busiest-hour notification rate over the daily average rate. A constant, not peak/avg
   * connections, so that more connections never lower the CPU estimate.
   * @default 3
   */
  peakNotificationFactor: number;
  /** Listener rules the ALB evaluates per request; the first 10 are free. @default 1 */
  albRulesPerRequest: number;
  /** How long the Redis replay log keeps a notification, hours (ecs-socketio's REPLAY_TTL). @default 24 */
  replayRetentionHours: number;
  /** Bytes of keys and fields stored with each log entry. @default 100 */
  logEntryOverheadBytes: number;
  /** ElastiCache's `reserved-memory-percent` default: memory a node keeps for itself. @default 0.25 */
  redisReservedMemoryFraction: number;
  /** CloudWatch log bytes per notification (the worker's "published" line; the server logs no per-connection lines at info). @default 250 */
  logBytesPerNotification: number;
  /** VPC flow logs of rejected traffic (scanners knocking on the ALB and NAT addresses), GB a month; a stated guess, verify. @default 1 */
  flowLogGbPerMonth: number;
  /** Compressed size of the container image pulled through the NAT on each task start, bytes. @default 200 MB */
  imageBytes: number;
  /** Deployments a month (each restarts every task, so each pulls the image). @default 4 */
  deploysPerMonth: number;
  /**
   * How this machine's CPU-seconds map to a Fargate vCPU: the low and high multipliers the bill
   * is also computed at (an AMD EPYC core here; a Graviton core, or half an x86 core, on Fargate).
   * @default [0.8, 1.5]
   */
  cpuFactorRange: [low: number, high: number];
}

export const DEFAULT_ECS_SIZING: EcsSizing = {
  headroomFraction: 0.25,
  peakNotificationFactor: 3,
  baselineRssBytes: 150 * 1024 * 1024,
  albRulesPerRequest: 1,
  replayRetentionHours: 24,
  logEntryOverheadBytes: 100,
  redisReservedMemoryFraction: 0.25,
  logBytesPerNotification: 250,
  flowLogGbPerMonth: 1,
  imageBytes: 200 * 1024 * 1024,
  deploysPerMonth: 4,
  cpuFactorRange: [0.8, 1.5],
};

/**
 * Connections one task may hold: the measured figure, unless the task's memory or its `nofile`
 * limit (less 100 descriptors for Redis, logs and the runtime) runs out first.
 */
export function connectionsPerTask(
  capacity: CapacityFigures,
  sizing: EcsSizing,
  deployment: Pick<EcsDeployment, 'taskMemoryGb' | 'nofileLimit'>,
): number {
  const fileBound = deployment.nofileLimit - 100;
  if (capacity.rssBytesPerConnection === 0) return Math.min(capacity.connectionsPerTask, fileBound);
  const memoryBound = Math.floor(
    (deployment.taskMemoryGb * GIB * (1 - sizing.headroomFraction) - sizing.baselineRssBytes) /
      capacity.rssBytesPerConnection,
  );
  return Math.max(1, Math.min(capacity.connectionsPerTask, memoryBound, fileBound));
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

/**
 * The node type the replay log fits in: the deployed one, or (when it is too small) the
 * smallest priced type that holds it, so the bill is that of a stack that works.
 */
export function cacheNodeFor(
  nodeType: string,
  neededGib: number,
  reservedFraction: number,
): { nodeType: string; node: CacheNodeType; upgraded: boolean } {
  const deployed = CACHE_NODE_TYPES[nodeType];
  if (!deployed) {
    throw new CostInputError(
      `no price for redisNodeType "${nodeType}" (priced: ${Object.keys(CACHE_NODE_TYPES).join(', ')}); add its rate to cost/prices.ts`,
      { field: 'redisNodeType' },
    );
  }
  const fits = (node: CacheNodeType) => node.memoryGib * (1 - reservedFraction) >= neededGib;
  if (fits(deployed)) return { nodeType, node: deployed, upgraded: false };
  const bigger = Object.entries(CACHE_NODE_TYPES)
    .filter(([, node]) => fits(node))
    .sort(([, a], [, b]) => a.memoryGib - b.memoryGib)[0];
  if (!bigger) {
    throw new CostInputError(
      `the replay log needs ${neededGib.toFixed(1)} GiB of Redis; no priced node type holds it (add a larger one to cost/prices.ts)`,
      { field: 'redisNodeType' },
    );
  }
  return { nodeType: bigger[0], node: bigger[1], upgraded: true };
}

/** What one ECS bill is computed at: the headline, or an end of the uncertainty range. */
interface BillCase {
  cpuFactor: number;
  /** 'average': the autoscaled fleet at the month's average load; 'peak': the busiest hour all month. */
  sizeFor: 'average' | 'peak';
}

interface EcsBill {
  lines: CostLine[];
  assumptions: string[];
  warnings: string[];
}

function ecsBill(
  id: EcsOptionId,
  workload: Workload,
  capacity: CapacityFigures,
  prices: RegionPrices,
  sizing: EcsSizing,
  deployment: EcsDeployment,
  billCase: BillCase,
): EcsBill {
  const profile = TRANSPORT_PROFILES[id];
  const defaultKeepalive =
    id === 'ecs-socketio' ? deployment.pingIntervalSeconds : profile.defaultKeepaliveSeconds;
  const keepaliveSeconds = workload.keepaliveSeconds ?? defaultKeepalive;
  const arch = workload.arch ?? deployment.arch;
  // A delivery's CPU on a fleet of `tasks` (flat unless the benchmarks measured how it grows).
  const cpuPerDeliveryAt = (tasks: number) => (cpuPer1000At(capacity, tasks) / 1000) * billCase.cpuFactor;
  const warnings: string[] = [];

  // Tasks. The service scales on two targets (CPU and connections per task), so the fleet
  // follows the load: priced at the month's average, with the busiest hour checked against
  // maxCount. A task holds at most the measured capacity less headroom, and the stack's
  // connections target (the tighter one decides).
  const measuredPerTask = connectionsPerTask(capacity, sizing, deployment);
  const perTask = Math.max(
    1,
    Math.min(
      deployment.connectionsPerTaskTarget,
      Math.floor(measuredPerTask * (1 - sizing.headroomFraction)),
    ),
  );
  const cpuPerTask = deployment.taskVcpu * (deployment.cpuTargetPercent / 100);
  const deliveriesPerDay = workload.notificationsPerDay * workload.connectionsPerUser;
  // A keep-alive exchange is answered by the task holding the connection: it never crosses Redis,
  // so it costs the flat measured figure whatever the fleet's size; only a notification's cost
  // follows the scale line (with the classic adapter every task decodes every notification).
  const cpuPerKeepalive = (capacity.cpuSecondsPer1000Notifications / 1000) * billCase.cpuFactor;
  const uncarriable = new Set<string>();
  const tasksAt = (connections: number, notificationFactor: number) => {
    const forConnections = Math.ceil(connections / perTask);
    const notificationsPerSecond = (deliveriesPerDay / 86_400) * notificationFactor;
    // A position check and a catch-up resume are answered by the task holding the connection, as a
    // keep-alive is (the Redis read is on its own connection): the flat figure each.
    const checksPerSecond = profile.positionCheck ? connections / profile.positionCheck.intervalSeconds : 0;
    const catchUpsPerSecond = Math.min(checksPerSecond, (deliveriesPerDay / 86_400) * notificationFactor);
    const keepalivesPerSecond = connections / keepaliveSeconds + checksPerSecond + catchUpsPerSecond;
    const vcpuAt = (tasks: number) =>
      notificationsPerSecond * cpuPerDeliveryAt(tasks) + keepalivesPerSecond * cpuPerKeepalive;
    // Each added task adds this much decoding to every notification's cost; at or above what the
    // task brings, no fleet has the CPU (the fixed point below would run away). The stack then
    // needs per-user channels, and is priced as if set, as the other knobs below are.
    const line = capacity.cpuScale;
    const addedPerTask = notificationsPerSecond * ((line?.per1000PerTask ?? 0) / 1000) * billCase.cpuFactor;
    if (line && addedPerTask >= cpuPerTask) {
      const heldAt = Math.max(...line.measuredTasks);
      uncarriable.add(
        `At ${notificationsPerSecond.toFixed(0)} notifications/s no fleet of the ${line.adapter} adapter has the CPU: each added task adds ${addedPerTask.toFixed(3)} vCPU of decoding (${line.per1000PerTask} CPU-s per 1,000 per task, measured), at least the ${cpuPerTask.toFixed(3)} vCPU a task brings: set redisAdapter to 'sharded' (priced as if set, a delivery's CPU held at the ${line.adapter} line's figure at ${heldAt} containers, the most measured; per-user channels measured below it there).`,
      );
      const vcpu = vcpuAt(heldAt);
      const forCpu = Math.ceil(vcpu / cpuPerTask);
      return { tasks: Math.max(deployment.minTasks, forConnections, forCpu), forConnections, forCpu, vcpu };
    }
    // The CPU a delivery costs may depend on the fleet's size (classic adapter): start from the
    // fleet connections alone need and grow it until the CPU it needs fits. Below the bound checked
    // above the steps shrink geometrically, so this ends.
    let tasks = Math.max(deployment.minTasks, forConnections);
    let vcpu = vcpuAt(tasks);
    let forCpu = Math.ceil(vcpu / cpuPerTask);
    for (let step = 0; step < 1000 && forCpu > tasks; step++) {
      tasks = forCpu;
      vcpu = vcpuAt(tasks);
      forCpu = Math.ceil(vcpu / cpuPerTask);
    }
    return { tasks: Math.max(tasks, forCpu), forConnections, forCpu, vcpu };
  };
  const average = tasksAt(workload.avgConnections, 1);
  const peak = tasksAt(workload.peakConnections, sizing.peakNotificationFactor);
  const priced = billCase.sizeFor === 'average' ? average : peak;
  const tasks = priced.tasks;
  warnings.push(...uncarriable);
  if (peak.tasks > deployment.maxTasks) {
    warnings.push(
      `The busiest hour needs ${peak.tasks} tasks; the deployed autoscaling stops at maxCount ${deployment.maxTasks}: raise maxCount to at least ${peak.tasks} (priced as if raised).`,
    );
  }

  const gbHour = arch === 'arm64' ? prices.fargateGbHourArm64Usd : prices.fargateGbHourX86Usd;
  const vcpuHour = arch === 'arm64' ? prices.fargateVcpuHourArm64Usd : prices.fargateVcpuHourX86Usd;
  const lines: CostLine[] = [
    priceLine(
      `Fargate vCPU: servers (${tasks} tasks x ${deployment.taskVcpu} vCPU, ${arch})`,
      tasks * deployment.taskVcpu * HOURS_PER_MONTH,
      'vCPU-hour',
      vcpuHour,
    ),
    priceLine(
      `Fargate memory: servers (${tasks} tasks x ${deployment.taskMemoryGb} GB)`,
      tasks * deployment.taskMemoryGb * HOURS_PER_MONTH,
      'GB-hour',
      gbHour,
    ),
  ];
  if (deployment.workerTasks > 0) {
    lines.push(
      priceLine(
        `Fargate vCPU: worker (${deployment.workerTasks} x ${deployment.workerVcpu} vCPU, ${arch})`,
        deployment.workerTasks * deployment.workerVcpu * HOURS_PER_MONTH,
        'vCPU-hour',
        vcpuHour,
      ),
      priceLine(
        `Fargate memory: worker (${deployment.workerTasks} x ${deployment.workerMemoryGb} GB)`,
        deployment.workerTasks * deployment.workerMemoryGb * HOURS_PER_MONTH,
        'GB-hour',
        gbHour,
      ),
    );
  }

  // Monthly traffic through the ALB and out to the internet.
  const connectsPerMonth = workload.connectsPerDay * DAYS_PER_MONTH;
  const deliveriesPerMonth = deliveriesPerDay * DAYS_PER_MONTH;
  const keepalivesPerMonth = (workload.avgConnections * SECONDS_PER_MONTH) / keepaliveSeconds;
  const check = profile.positionCheck;
  const checksPerMonth = check ? (workload.avgConnections * SECONDS_PER_MONTH) / check.intervalSeconds : 0;
  // At most one catch-up resume per delivery and per check (an upper bound: with the answer's recent
  // ids only a failed live emit or a busy user needs one): its replay carries the notification again.
  const catchUpsPerMonth = Math.min(checksPerMonth, deliveriesPerMonth);
  const bytesOut =
    deliveriesPerMonth * (workload.messageBytes + profile.frameOverheadBytesOut) +
    checksPerMonth * (check?.bytesOut ?? 0) +
    // The replay answer: the notification again, in an ack with `truncated`, `cursor`, `servedBy` (~80 B).
    catchUpsPerMonth * (workload.messageBytes + profile.frameOverheadBytesOut + 80) +
    keepalivesPerMonth * profile.keepaliveBytesOut +
    connectsPerMonth * profile.connectBytesOut;
  const bytesIn =
    deliveriesPerMonth * profile.perDeliveryBytesIn +
    keepalivesPerMonth * profile.keepaliveBytesIn +
    checksPerMonth * (check?.bytesIn ?? 0) +
    // The resume request: `42n["resume",{"after":"<ULID>"}]` with framing (~45 B).
    catchUpsPerMonth * 45 +
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

  // Redis: the node-based replication group infra/lib/redis.ts deploys (primary + replicas).
  const notificationsPerMonth = workload.notificationsPerDay * DAYS_PER_MONTH;
  const logEntryBytes = workload.messageBytes + sizing.logEntryOverheadBytes;
  const replayGib = (workload.notificationsPerDay * (sizing.replayRetentionHours / 24) * logEntryBytes) / GIB;
  // Cluster mode spreads the users (and their logs) over the shards by hash slot.
  const { shards, engine } = deployment.redis;
  const cache = cacheNodeFor(
    deployment.redis.nodeType,
    replayGib / shards,
    sizing.redisReservedMemoryFraction,
  );
  if (cache.upgraded) {
    warnings.push(
      `The replay log (${replayGib.toFixed(2)} GiB) does not fit the deployed ${deployment.redis.nodeType} (${CACHE_NODE_TYPES[deployment.redis.nodeType]?.memoryGib} GiB, ${sizing.redisReservedMemoryFraction * 100}% reserved): set redisNodeType to ${cache.nodeType} (priced as if set).`,
    );
  }
  lines.push(
    priceLine(
      shards > 1
        ? `ElastiCache nodes (${deployment.redis.nodes} x ${cache.nodeType}: ${shards} shards x (primary + ${deployment.redis.nodes / shards - 1} replica), cluster mode, ${engine === 'valkey' ? 'Valkey' : 'Redis OSS'})`
        : `ElastiCache nodes (${deployment.redis.nodes} x ${cache.nodeType}: primary${deployment.redis.nodes > 1 ? ` + ${deployment.redis.nodes - 1} replica` : ''}${engine === 'valkey' ? ', Valkey' : ''})`,
      deployment.redis.nodes * HOURS_PER_MONTH,
      'node-hour',
      engine === 'valkey'
        ? valkeyNodeHour(cache.node.hourUsd[workload.region])
        : cache.node.hourUsd[workload.region],
    ),
  );

  // The VPC: NAT gateway(s) and public IPv4 addresses; the tasks' egress (logs, image pulls)
  // crosses the NAT, the clients' traffic does not (ALB to task stays inside the VPC).
  const logGbPerMonth =
    (notificationsPerMonth * sizing.logBytesPerNotification) / GIB + sizing.flowLogGbPerMonth;
  // Each deploy restarts every task; each day the fleet scales from its floor to the busiest
  // hour's size (counted from the floor, so more load never means fewer pulls).
  const taskStarts =
    (tasks + deployment.workerTasks) * sizing.deploysPerMonth +
    (peak.tasks - deployment.minTasks) * DAYS_PER_MONTH;
  const natGb = logGbPerMonth + (taskStarts * sizing.imageBytes) / GIB;
  lines.push(
    priceLine(
      `NAT gateway hours (${deployment.natGateways})`,
      deployment.natGateways * HOURS_PER_MONTH,
      'NAT gateway-hour',
      prices.natGatewayHourUsd,
    ),
    priceLine('NAT gateway data processed (logs, image pulls)', natGb, 'GB', prices.natGatewayGbProcessedUsd),
    priceLine(
      `Public IPv4 addresses (${deployment.natGateways} NAT + ${deployment.albPublicIpv4} ALB)`,
      (deployment.natGateways + deployment.albPublicIpv4) * HOURS_PER_MONTH,
      'address-hour',
      prices.publicIpv4HourUsd,
    ),
    priceLine('Data transfer out to the internet', bytesOut / GIB, 'GB', prices.dataTransferOutGbUsd),
    ...stackOverheadLines(
      {
        logGroups: deployment.logGroups,
        logRetentionDays: deployment.logRetentionDays,
        logGbPerMonth,
        secrets: deployment.secrets,
        alarmMetrics: deployment.alarmMetrics.inTemplate + deployment.alarmMetrics.createdByAutoscaling,
      },
      prices,
    ),
  );

  const label = (figure: number, unit: string) =>
    `${figure.toLocaleString('en-US', { maximumSignificantDigits: 6 })} ${unit} (${capacity.measured ? 'measured' : DEFAULT_LABEL})`;
  const count = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const assumptions = [
    `Capacity per task: ${label(capacity.connectionsPerTask, 'connections')}; basis: ${capacity.basis}.`,
    `CPU: ${
      capacity.cpuScale
        ? `${cpuPer1000At(capacity, tasks).toLocaleString('en-US', { maximumSignificantDigits: 4 })} CPU-seconds per 1,000 delivered notifications at ${tasks} tasks (measured line, ${capacity.cpuScale.adapter} adapter: ${capacity.cpuScale.per1000AtZeroTasks.toPrecision(3)} + ${capacity.cpuScale.per1000PerTask.toPrecision(3)} per task, measured at ${capacity.cpuScale.measuredTasks.join('/')} containers${tasks > Math.max(...capacity.cpuScale.measuredTasks) ? `; ${tasks} tasks is a projection beyond them` : ''}; ${capacity.cpuScale.basis})`
        : label(capacity.cpuSecondsPer1000Notifications, 'CPU-seconds per 1,000 delivered notifications')
    }${billCase.cpuFactor === 1 ? '' : ` x ${billCase.cpuFactor}`}; each keep-alive exchange is charged as one delivery at the flat figure${capacity.cpuScale ? ' (it is answered by its own task and never crosses Redis, so the line does not apply)' : ''}; the busiest hour carries ${sizing.peakNotificationFactor}x the average notification rate.`,
    `Memory: ${label(capacity.rssBytesPerConnection, 'bytes RSS per connection')} + ${Math.round(sizing.baselineRssBytes / 1024 / 1024)} MB per process; a ${deployment.taskMemoryGb} GB task with nofile ${count(deployment.nofileLimit)} holds at most ${count(measuredPerTask)} connections.`,
    `Tasks (as deployed: ${deployment.taskVcpu} vCPU / ${deployment.taskMemoryGb} GB ${arch}, ${deployment.minTasks} to ${deployment.maxTasks}, scaling on ${deployment.cpuTargetPercent}% CPU and ${count(deployment.connectionsPerTaskTarget)} connections per task): ${billCase.sizeFor === 'average' ? `the fleet follows the load, so it is priced at the month's average: max(${deployment.minTasks} minimum, ${average.forConnections} for ${count(workload.avgConnections)} connections at ${count(perTask)} a task, ${average.forCpu} for ${average.vcpu.toFixed(2)} vCPU) = ${tasks}; the busiest hour needs ${peak.tasks}` : `the busiest hour all month: max(${deployment.minTasks}, ${peak.forConnections} for ${count(workload.peakConnections)} connections, ${peak.forCpu} for CPU) = ${tasks}`}.`,
    `Keep-alive every ${keepaliveSeconds} s (${workload.keepaliveSeconds === null ? (id === 'ecs-socketio' ? "the stack's pingIntervalMs" : profile.keepaliveWhy) : 'from --keepalive-seconds'}).${keepaliveSeconds >= 60 ? ' At 60 s or more the ALB idle timeout (default 60 s) must be raised to match.' : ''}`,
    `ALB: LCUs from the monthly average (${(connectsPerMonth / SECONDS_PER_MONTH).toFixed(3)} new connections/s, ${count(workload.avgConnections)} active connections, ${((bytesIn + bytesOut) / GIB / HOURS_PER_MONTH).toFixed(4)} GB/h processed, ${sizing.albRulesPerRequest} rule per request of which 10 are free); the highest dimension (${lcu.dimension}) is billed.`,
    `Redis: a node-based replication group (${deployment.redis.nodes} x ${cache.nodeType}, ${cache.node.memoryGib} GiB each, ${sizing.redisReservedMemoryFraction * 100}% reserved); the replay log holds ${sizing.replayRetentionHours} h of notifications at message + ${sizing.logEntryOverheadBytes} B (${replayGib.toFixed(3)} GiB). ElastiCache Serverless is not offered: it refuses the classic adapter's PSUBSCRIBE (socket.io-redis-adapter issue 553). One snapshot a day is kept, free for one per cluster.`,
    `NAT: ${deployment.natGateways} gateway(s); data processed = logs (${logGbPerMonth.toFixed(2)} GB: ${sizing.logBytesPerNotification} B per notification + ${sizing.flowLogGbPerMonth} GB of rejected-flow logs, a stated guess) + ${taskStarts.toFixed(0)} image pulls of ${Math.round(sizing.imageBytes / 1024 / 1024)} MB (${sizing.deploysPerMonth} deploys a month per task, and one scale-out a day from the floor to the busiest hour's fleet).`,
    `Wire bytes (estimated from the protocol format, not measured): ${profile.frameOverheadBytesOut} B framing per notification, ${profile.keepaliveBytesOut} B out / ${profile.keepaliveBytesIn} B in per keep-alive, ${profile.connectBytesOut} B out / ${profile.connectBytesIn} B in per connect.`,
    ...(profile.positionCheck
      ? [
          `Log position check (issue 21): the SDK asks every ${profile.positionCheck.intervalSeconds} s (${profile.positionCheck.bytesOut} B out / ${profile.positionCheck.bytesIn} B in, one XREVRANGE on Redis), and resumes once after a round in which the user's log grew (priced as one per delivery, capped at one per check: an upper bound); each costs a keep-alive's CPU.`,
        ]
      : []),
    ...(id === 'ecs-socketio'
      ? []
      : [
          `The stack deploys the socket.io server; this option prices the same stack with the ${profile.label.split(': ')[1]} server of benchmarks/ in its place.`,
        ]),
    `Not priced: ${ECS_UNPRICED.map((item) => `${item.what} (${item.why})`).join('; ')}.`,
  ];
  return { lines, assumptions, warnings };
}

/** Billable parts of the ECS stack the model leaves out, each with the reason (checked against the template). */
export const ECS_UNPRICED: readonly { what: string; why: string }[] = [
  {
    what: 'Container Insights metrics',
    why: 'enabled on the cluster; billed as custom metrics and performance log events, a few dollars a month per service (verify)',
  },
  { what: 'ECR image storage', why: 'the image lives in the CDK bootstrap repository, about $0.02 a month' },
  { what: 'ALB access-log bucket', why: 'S3 storage of a few GB of access logs, cents a month' },
  { what: 'SNS alarm topic', why: 'a few notifications a month, inside the free tier' },
];

export function ecsOptionCost(
  id: EcsOptionId,
  workload: Workload,
  capacity: CapacityFigures,
  prices: RegionPrices,
  sizing: EcsSizing = DEFAULT_ECS_SIZING,
  deployment: EcsDeployment = DEFAULT_DEPLOYMENT.ecs,
): OptionCost {
  const headline = ecsBill(id, workload, capacity, prices, sizing, deployment, {
    cpuFactor: 1,
    sizeFor: 'average',
  });
  const [lowFactor, highFactor] = sizing.cpuFactorRange;
  const low = ecsBill(id, workload, capacity, prices, sizing, deployment, {
    cpuFactor: lowFactor,
    sizeFor: 'average',
  });
  const high = ecsBill(id, workload, capacity, prices, sizing, deployment, {
    cpuFactor: highFactor,
    sizeFor: 'peak',
  });
  const monthlyUsd = sumLines(headline.lines);
  return {
    id,
    label: TRANSPORT_PROFILES[id].label,
    monthlyUsd,
    lines: headline.lines,
    assumptions: [...headline.warnings.map((warning) => `Warning: ${warning}`), ...headline.assumptions],
    range: {
      lowUsd: Math.min(monthlyUsd, sumLines(low.lines)),
      highUsd: Math.max(monthlyUsd, sumLines(high.lines)),
      why: `this machine's CPU-seconds at ${lowFactor}x to ${highFactor}x on a Fargate vCPU; the high end also keeps the busiest hour's fleet all month (no scale-in)`,
    },
  };
}
