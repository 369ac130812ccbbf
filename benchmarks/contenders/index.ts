import { apigwEmulated } from './apigw-emulated.js';
import { baselineWs } from './baseline-ws.js';
import type { Contender } from './contender.js';
import { longPollingRedis } from './long-polling-redis.js';
import { rawWsRedis } from './raw-ws-redis.js';
import { socketIoMemory } from './socketio-memory.js';
import { socketIoPlain } from './socketio-plain.js';
import { socketIoRedis } from './socketio-redis.js';
import { sseRedis } from './sse-redis.js';

/** Every contender, in report order; the baseline first. */
export const CONTENDERS: readonly Contender[] = [
  baselineWs,
  socketIoRedis,
  socketIoPlain,
  socketIoMemory,
  rawWsRedis,
  sseRedis,
  longPollingRedis,
  apigwEmulated,
];

export type { Contender } from './contender.js';
