import type { Contender } from './contender.js';
import { startPushContender } from './push-contender.js';

/** Server-Sent Events + Redis pub/sub, resume through Last-Event-ID. */
export const sseRedis: Contender = {
  id: 'sse-redis',
  label: 'SSE + Redis pub/sub',
  optionId: 'ecs-sse',
  emulated: false,
  baseline: false,
  resume: true,
  multiContainer: true,
  start: (options) => startPushContender('sse', options),
};
