import type { Contender } from './contender.js';
import { startPushContender } from './push-contender.js';

/** HTTP long polling + Redis pub/sub; the cursor travels with every poll, so no session state. */
export const longPollingRedis: Contender = {
  id: 'long-polling-redis',
  label: 'HTTP long polling + Redis pub/sub',
  optionId: 'ecs-longpoll',
  emulated: false,
  baseline: false,
  resume: true,
  multiContainer: true,
  start: (options) => startPushContender('long-polling', options),
};
