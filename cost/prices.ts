/**
 * The project's own dated, sourced copy of every AWS price the cost model uses.
 *
 * Each figure carries the page it comes from and the day it was read. Re-check against the
 * vendor page before a release: AWS changes prices (DynamoDB on-demand fell by half on
 * 2024-11-01). Units are in the names; `unit` repeats them in words for the printed table.
 *
 * Two regions: us-east-1, and eu-west-1 (the region users ask for next). The AWS pages render
 * their rate tables from a script the search tool does not run, so eu-west-1 rates are the best
 * public figures known to this project, each marked "verify" in its note with how it was
 * derived; where the note says "same as us-east-1" that is the published pattern for the
 * service (Lambda, Fargate, Secrets Manager, data transfer out), still to be confirmed.
 */

export interface PriceFigure {
  /** USD per `unit`. */
  usd: number;
  unit: string;
  sourceUrl: string;
  /** ISO date (YYYY-MM-DD) the figure was read or last confirmed. */
  readOn: string;
  /** How the figure was confirmed, and anything a reader should know about it. */
  note?: string;
}

export interface RegionPrices {
  apigwWebsocketMessagePerMillionUsd: PriceFigure;
  apigwConnectionMinutePerMillionUsd: PriceFigure;
  lambdaRequestPerMillionUsd: PriceFigure;
  lambdaGbSecondX86Usd: PriceFigure;
  lambdaGbSecondArm64Usd: PriceFigure;
  dynamodbWriteRequestUnitPerMillionUsd: PriceFigure;
  dynamodbReadRequestUnitPerMillionUsd: PriceFigure;
  fargateVcpuHourX86Usd: PriceFigure;
  fargateGbHourX86Usd: PriceFigure;
  fargateVcpuHourArm64Usd: PriceFigure;
  fargateGbHourArm64Usd: PriceFigure;
  albHourUsd: PriceFigure;
  albLcuHourUsd: PriceFigure;
  dataTransferOutGbUsd: PriceFigure;
  natGatewayHourUsd: PriceFigure;
  natGatewayGbProcessedUsd: PriceFigure;
  publicIpv4HourUsd: PriceFigure;
  secretsManagerSecretMonthUsd: PriceFigure;
  cloudwatchAlarmMetricMonthUsd: PriceFigure;
  cloudwatchLogsIngestedGbUsd: PriceFigure;
  cloudwatchLogsStoredGbMonthUsd: PriceFigure;
  appsyncEventsOperationPerMillionUsd: PriceFigure;
  appsyncEventsConnectionMinutePerMillionUsd: PriceFigure;
}

const FACTS = 'Figure from the project brief (shared/FACTS.md), which names this page as its source';
const PUBLIC =
  "AWS's published on-demand rate as widely restated (AWS pricing calculator, third-party guides); not re-read on the page itself, which renders its table from a script";

const US_EAST_1 = {
  apigwWebsocketMessagePerMillionUsd: {
    usd: 1.0,
    unit: 'million WebSocket messages (32 KB metering steps)',
    sourceUrl: 'https://aws.amazon.com/api-gateway/pricing/',
    readOn: '2026-11-27',
    note: `${FACTS}. The page text read on 2026-11-27 confirms "messages are metered in 32 KB increments; a 33 KB message is metered as two messages". First 1 billion messages a month; the lower rate above that is not modelled (overestimates beyond 1 billion).`,
  },
  apigwConnectionMinutePerMillionUsd: {
    usd: 0.25,
    unit: 'million connection-minutes',
    sourceUrl: 'https://aws.amazon.com/api-gateway/pricing/',
    readOn: '2026-11-27',
    note: FACTS,
  },
  lambdaRequestPerMillionUsd: {
    usd: 0.2,
    unit: 'million Lambda requests',
    sourceUrl: 'https://aws.amazon.com/lambda/pricing/',
    readOn: '2026-11-27',
    note: FACTS,
  },
  lambdaGbSecondX86Usd: {
    usd: 0.0000166667,
    unit: 'Lambda GB-second (x86_64)',
    sourceUrl: 'https://aws.amazon.com/lambda/pricing/',
    readOn: '2026-11-27',
    note: `${FACTS}. First pricing tier (the first 6 billion GB-seconds a month).`,
  },
  lambdaGbSecondArm64Usd: {
    usd: 0.0000133334,
    unit: 'Lambda GB-second (arm64)',
    sourceUrl: 'https://aws.amazon.com/lambda/pricing/',
    readOn: '2026-11-27',
    note: `${FACTS}. First pricing tier.`,
  },
  dynamodbWriteRequestUnitPerMillionUsd: {
    usd: 0.625,
    unit: 'million write request units (on-demand)',
    sourceUrl: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    readOn: '2026-11-27',
    note: `${FACTS} (after the 2024-11-01 price cut). Standard table class.`,
  },
  dynamodbReadRequestUnitPerMillionUsd: {
    usd: 0.125,
    unit: 'million read request units (on-demand)',
    sourceUrl: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    readOn: '2026-11-27',
    note: `${FACTS}. The page text read on 2026-11-27 confirms an eventually consistent read of up to 4 KB costs one-half read request unit.`,
  },
  fargateVcpuHourX86Usd: {
    usd: 0.04048,
    unit: 'Fargate vCPU-hour (Linux/x86_64)',
    sourceUrl: 'https://aws.amazon.com/fargate/pricing/',
    readOn: '2026-11-27',
    note: `${FACTS}. Agrees with the page's US East worked example as transcribed by a third party on 2026-09-20 ($0.000011244 per vCPU-second x 3600).`,
  },
  fargateGbHourX86Usd: {
    usd: 0.004445,
    unit: 'Fargate GB-hour (Linux/x86_64)',
    sourceUrl: 'https://aws.amazon.com/fargate/pricing/',
    readOn: '2026-11-27',
    note: FACTS,
  },
  fargateVcpuHourArm64Usd: {
    usd: 0.03238,
    unit: 'Fargate vCPU-hour (Linux/ARM)',
    sourceUrl: 'https://aws.amazon.com/fargate/pricing/',
    readOn: '2026-11-27',
    note: FACTS,
  },
  fargateGbHourArm64Usd: {
    usd: 0.00356,
    unit: 'Fargate GB-hour (Linux/ARM)',
    sourceUrl: 'https://aws.amazon.com/fargate/pricing/',
    readOn: '2026-11-27',
    note: FACTS,
  },
  albHourUsd: {
    usd: 0.0225,
    unit: 'ALB-hour',
    sourceUrl: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
    readOn: '2026-11-27',
    note: FACTS,
  },
  albLcuHourUsd: {
    usd: 0.008,
    unit: 'LCU-hour',
    sourceUrl: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
    readOn: '2026-11-27',
    note: `${FACTS}. One LCU = 25 new connections/s, 3,000 active connections/minute, 1 GB/h processed (EC2/IP targets) or 1,000 rule evaluations/s; the highest dimension is billed.`,
  },
  dataTransferOutGbUsd: {
    usd: 0.09,
    unit: 'GB out to the internet',
    sourceUrl: 'https://aws.amazon.com/ec2/pricing/on-demand/',
    readOn: '2026-11-27',
    note: `${FACTS}. First 10 TB a month; the 100 GB/month free allowance is not applied (free tiers are off).`,
  },
  natGatewayHourUsd: {
    usd: 0.045,
    unit: 'NAT gateway-hour',
    sourceUrl: 'https://aws.amazon.com/vpc/pricing/',
    readOn: '2026-12-01',
    note: `${PUBLIC}.`,
  },
  natGatewayGbProcessedUsd: {
    usd: 0.045,
    unit: 'GB processed by a NAT gateway',
    sourceUrl: 'https://aws.amazon.com/vpc/pricing/',
    readOn: '2026-12-01',
    note: `${PUBLIC}. Charged on every byte through the gateway, in either direction.`,
  },
  publicIpv4HourUsd: {
    usd: 0.005,
    unit: 'public IPv4 address-hour',
    sourceUrl: 'https://aws.amazon.com/vpc/pricing/',
    readOn: '2026-12-01',
    note: `${PUBLIC}; charged since 2024-02-01 on every public IPv4 address, in use or not (the NAT gateway's Elastic IP and the internet-facing ALB's address in each AZ).`,
  },
  secretsManagerSecretMonthUsd: {
    usd: 0.4,
    unit: 'secret-month',
    sourceUrl: 'https://aws.amazon.com/secrets-manager/pricing/',
    readOn: '2026-12-01',
    note: `${PUBLIC}. API calls ($0.05 per 10,000) are not priced: tasks and the stack read secrets at start or deploy time only.`,
  },
  cloudwatchAlarmMetricMonthUsd: {
    usd: 0.1,
    unit: 'standard-resolution alarm metric-month',
    sourceUrl: 'https://aws.amazon.com/cloudwatch/pricing/',
    readOn: '2026-12-01',
    note: `${PUBLIC}. A metric-math alarm is billed per metric it reads.`,
  },
  cloudwatchLogsIngestedGbUsd: {
    usd: 0.5,
    unit: 'GB of logs ingested (standard class)',
    sourceUrl: 'https://aws.amazon.com/cloudwatch/pricing/',
    readOn: '2026-12-01',
    note: `${PUBLIC}. VPC flow logs are vended logs, also $0.50/GB in the first 10 TB.`,
  },
  cloudwatchLogsStoredGbMonthUsd: {
    usd: 0.03,
    unit: 'GB-month of logs stored',
    sourceUrl: 'https://aws.amazon.com/cloudwatch/pricing/',
    readOn: '2026-12-01',
    note: `${PUBLIC}. AWS bills stored logs compressed; the model stores them uncompressed (an upper bound).`,
  },
  appsyncEventsOperationPerMillionUsd: {
    usd: 1.0,
    unit: 'million AppSync Event API operations',
    sourceUrl: 'https://aws.amazon.com/appsync/pricing/',
    readOn: '2026-12-01',
    note: `${FACTS} ("AWS price list rows"): connects, subscribes, each published event and each delivery are operations. Whether keep-alive ("ka") messages count is not stated plainly, so the model prices both readings.`,
  },
  appsyncEventsConnectionMinutePerMillionUsd: {
    usd: 0.08,
    unit: 'million AppSync Events connection-minutes',
    sourceUrl: 'https://aws.amazon.com/appsync/pricing/',
    readOn: '2026-12-01',
    note: FACTS,
  },
} as const satisfies RegionPrices;

/** An eu-west-1 figure: the us-east-1 entry with its own rate and a note saying how far it is confirmed. */
function euWest1(figure: PriceFigure, usd: number, note: string): PriceFigure {
  return { ...figure, usd, readOn: '2026-12-01', note: `eu-west-1: ${note}` };
}

const SAME = 'same as us-east-1, the published pattern for this service (verify)';

const EU_WEST_1: RegionPrices = {
  apigwWebsocketMessagePerMillionUsd: euWest1(
    US_EAST_1.apigwWebsocketMessagePerMillionUsd,
    1.14,
    'best public figure known ($1.14 per million, 14% above us-east-1 as for the REST and HTTP APIs there); verify',
  ),
  apigwConnectionMinutePerMillionUsd: euWest1(
    US_EAST_1.apigwConnectionMinutePerMillionUsd,
    0.285,
    'best public figure known ($0.285 per million, 14% above us-east-1); verify',
  ),
  lambdaRequestPerMillionUsd: euWest1(US_EAST_1.lambdaRequestPerMillionUsd, 0.2, SAME),
  lambdaGbSecondX86Usd: euWest1(US_EAST_1.lambdaGbSecondX86Usd, 0.0000166667, SAME),
  lambdaGbSecondArm64Usd: euWest1(US_EAST_1.lambdaGbSecondArm64Usd, 0.0000133334, SAME),
  dynamodbWriteRequestUnitPerMillionUsd: euWest1(
    US_EAST_1.dynamodbWriteRequestUnitPerMillionUsd,
    0.705,
    'half the pre-2024-11-01 rate of about $1.41 per million (the cut halved on-demand rates in every region); verify',
  ),
  dynamodbReadRequestUnitPerMillionUsd: euWest1(
    US_EAST_1.dynamodbReadRequestUnitPerMillionUsd,
    0.141,
    'half the pre-2024-11-01 rate of about $0.283 per million; verify',
  ),
  fargateVcpuHourX86Usd: euWest1(US_EAST_1.fargateVcpuHourX86Usd, 0.04048, SAME),
  fargateGbHourX86Usd: euWest1(US_EAST_1.fargateGbHourX86Usd, 0.004445, SAME),
  fargateVcpuHourArm64Usd: euWest1(US_EAST_1.fargateVcpuHourArm64Usd, 0.03238, SAME),
  fargateGbHourArm64Usd: euWest1(US_EAST_1.fargateGbHourArm64Usd, 0.00356, SAME),
  albHourUsd: euWest1(
    US_EAST_1.albHourUsd,
    0.0252,
    'best public figure known ($0.0252 per ALB-hour); verify',
  ),
  albLcuHourUsd: euWest1(
    US_EAST_1.albLcuHourUsd,
    0.008,
    'best public figure known ($0.008 per LCU-hour); verify',
  ),
  dataTransferOutGbUsd: euWest1(US_EAST_1.dataTransferOutGbUsd, 0.09, SAME),
  natGatewayHourUsd: euWest1(
    US_EAST_1.natGatewayHourUsd,
    0.048,
    'best public figure known ($0.048 per hour); verify',
  ),
  natGatewayGbProcessedUsd: euWest1(
    US_EAST_1.natGatewayGbProcessedUsd,
    0.048,
    'best public figure known ($0.048 per GB); verify',
  ),
  publicIpv4HourUsd: euWest1(
    US_EAST_1.publicIpv4HourUsd,
    0.005,
    'the same in every commercial region (verify)',
  ),
  secretsManagerSecretMonthUsd: euWest1(US_EAST_1.secretsManagerSecretMonthUsd, 0.4, SAME),
  cloudwatchAlarmMetricMonthUsd: euWest1(US_EAST_1.cloudwatchAlarmMetricMonthUsd, 0.1, SAME),
  cloudwatchLogsIngestedGbUsd: euWest1(
    US_EAST_1.cloudwatchLogsIngestedGbUsd,
    0.57,
    'best public figure known ($0.57 per GB ingested); verify',
  ),
  cloudwatchLogsStoredGbMonthUsd: euWest1(US_EAST_1.cloudwatchLogsStoredGbMonthUsd, 0.03, SAME),
  appsyncEventsOperationPerMillionUsd: euWest1(
    US_EAST_1.appsyncEventsOperationPerMillionUsd,
    1.0,
    'no regional rate found; AppSync GraphQL rates are the same in both regions, so the us-east-1 rate is used (verify)',
  ),
  appsyncEventsConnectionMinutePerMillionUsd: euWest1(
    US_EAST_1.appsyncEventsConnectionMinutePerMillionUsd,
    0.08,
    'as the operation rate: the us-east-1 figure (verify)',
  ),
};

export const PRICES = { 'us-east-1': US_EAST_1, 'eu-west-1': EU_WEST_1 } as const satisfies Record<
  string,
  RegionPrices
>;

export type Region = keyof typeof PRICES;
export const REGIONS = Object.keys(PRICES) as Region[];

export function pricesFor(region: Region): RegionPrices {
  return PRICES[region];
}

/** An ElastiCache node type: its hourly rate per region and the memory it has for data. */
export interface CacheNodeType {
  /** Memory of the node, GiB (AWS's figure for the type). */
  memoryGib: number;
  hourUsd: Record<Region, PriceFigure>;
}

const ELASTICACHE = 'https://aws.amazon.com/elasticache/pricing/';

function cacheNode(memoryGib: number, usEast1: number, euWest1Usd: number, usNote: string): CacheNodeType {
  const figure = (usd: number, note: string): PriceFigure => ({
    usd,
    unit: 'node-hour (ElastiCache for Redis OSS, on-demand)',
    sourceUrl: ELASTICACHE,
    readOn: '2026-12-01',
    note,
  });
  return {
    memoryGib,
    hourUsd: {
      'us-east-1': figure(usEast1, usNote),
      'eu-west-1': figure(
        euWest1Usd,
        'eu-west-1: about 10% above us-east-1, the pattern of the published Ireland node rates; verify',
      ),
    },
  };
}

/**
 * What a Valkey node costs against the same Redis OSS node type: AWS announced ElastiCache for
 * Valkey with node-based prices 20% below Redis OSS (AWS What's New, 2024-10-08, "Amazon
 * ElastiCache for Valkey"); third-party price tables read in 2026 say 20% to 30%. Not checked
 * against AWS's price list from here: verify.
 */
export const VALKEY_NODE_PRICE_FACTOR = 0.8;

/** A Redis OSS node-hour figure as the Valkey one (`VALKEY_NODE_PRICE_FACTOR`), marked "verify". */
export function valkeyNodeHour(redisOss: PriceFigure): PriceFigure {
  return {
    ...redisOss,
    usd: Math.round(redisOss.usd * VALKEY_NODE_PRICE_FACTOR * 1e6) / 1e6,
    unit: 'node-hour (ElastiCache for Valkey, on-demand)',
    note: `Redis OSS rate x ${VALKEY_NODE_PRICE_FACTOR} (AWS: node-based Valkey 20% below Redis OSS); verify`,
  };
}

/**
 * Node-based ElastiCache (a replication group, cluster mode off or on: what `infra/lib/redis.ts`
 * deploys; Redis OSS rates, Valkey priced from them). Only these types are priced; another `redisNodeType` is refused by the model
 * until its rate is added here.
 */
export const CACHE_NODE_TYPES: Record<string, CacheNodeType> = {
  'cache.t4g.micro': cacheNode(0.5, 0.016, 0.0176, `${FACTS} ("about $0.016/hour (verify)")`),
  'cache.t4g.small': cacheNode(1.37, 0.032, 0.0352, `${PUBLIC}; verify`),
  'cache.t4g.medium': cacheNode(3.09, 0.065, 0.0715, `${PUBLIC}; verify`),
  'cache.m7g.large': cacheNode(6.38, 0.158, 0.1738, `${PUBLIC}; verify`),
  'cache.r7g.large': cacheNode(13.07, 0.219, 0.2409, `${PUBLIC}; verify`),
  'cache.r7g.xlarge': cacheNode(26.32, 0.437, 0.4807, `${PUBLIC}; verify`),
  'cache.r7g.2xlarge': cacheNode(52.82, 0.874, 0.9614, `${PUBLIC}; verify`),
  'cache.r7g.4xlarge': cacheNode(105.81, 1.747, 1.9217, `${PUBLIC}; verify`),
  'cache.r7g.8xlarge': cacheNode(209.55, 3.494, 3.8434, `${PUBLIC}; verify`),
  'cache.r7g.12xlarge': cacheNode(317.77, 5.242, 5.7662, `${PUBLIC}; verify`),
  'cache.r7g.16xlarge': cacheNode(419.09, 6.989, 7.6879, `${PUBLIC}; verify`),
};
