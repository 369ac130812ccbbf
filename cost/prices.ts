/**
 * The project's own dated, sourced copy of every AWS price the cost model uses.
 *
 * Each figure carries the page it comes from and the day it was read. Re-check against the
 * vendor page before a release: AWS changes prices (DynamoDB on-demand fell by half on
 * 2024-11-01). Units are in the names; `unit` repeats them in words for the printed table.
 *
 * Only us-east-1 is here. eu-west-1 rates were not found in a source this project could cite
 * (the AWS pages render their rate tables from a script the search tool does not run), and a
 * guessed price is worse than none.
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
  elasticacheServerlessValkeyGbHourUsd: PriceFigure;
  elasticacheServerlessValkeyEcpuPerMillionUsd: PriceFigure;
  dataTransferOutGbUsd: PriceFigure;
}

const FACTS = 'Figure from the project brief (shared/FACTS.md), which names this page as its source';

export const PRICES = {
  'us-east-1': {
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
    elasticacheServerlessValkeyGbHourUsd: {
      usd: 0.084,
      unit: 'ElastiCache Serverless (Valkey) GB-hour stored, 100 MB minimum',
      sourceUrl: 'https://aws.amazon.com/elasticache/pricing/',
      readOn: '2026-11-27',
      note: `${FACTS}. The 100 MB minimum for Valkey and "1 ECPU for each kilobyte of data transferred" were confirmed on 2026-11-27 in the text of the same AWS page (aws.eu Italian edition) and vantage.sh's billing-code notes; the rate itself was not visible in page text.`,
    },
    elasticacheServerlessValkeyEcpuPerMillionUsd: {
      usd: 0.0023,
      unit: 'million ElastiCache Processing Units (Valkey)',
      sourceUrl: 'https://aws.amazon.com/elasticache/pricing/',
      readOn: '2026-11-27',
      note: FACTS,
    },
    dataTransferOutGbUsd: {
      usd: 0.09,
      unit: 'GB out to the internet',
      sourceUrl: 'https://aws.amazon.com/ec2/pricing/on-demand/',
      readOn: '2026-11-27',
      note: `${FACTS}. First 10 TB a month; the 100 GB/month free allowance is not applied (free tiers are off).`,
    },
  },
} as const satisfies Record<string, RegionPrices>;

export type Region = keyof typeof PRICES;
export const REGIONS = Object.keys(PRICES) as Region[];

export function pricesFor(region: Region): RegionPrices {
  return PRICES[region];
}
