import type { Contender } from './contender.js';
import { startPushContender } from './push-contender.js';

/** Raw `ws` + Redis pub/sub with per-user channels (see servers/bus.ts for why per-user). */
export const rawWsRedis: Contender = {
  id: 'raw-ws-redis',
  label: 'Raw ws + Redis pub/sub (per-user channels)',
  optionId: 'ecs-ws',
  emulated: false,
  baseline: false,
  resume: true,
  multiContainer: true,
  start: (options) => startPushContender('ws', options),
};
