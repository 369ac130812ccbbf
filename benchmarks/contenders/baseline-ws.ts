import type { Contender } from './contender.js';
import { startPushContender } from './push-contender.js';

/**
 * The floor every contender is compared with: a plain `ws` server, no auth, no Redis, no replay
 * log; the publisher hands notifications over a kept-alive HTTP connection.
 */
export const baselineWs: Contender = {
  id: 'baseline-ws',
  label: 'Baseline: plain ws, no auth, no Redis (loopback floor)',
  emulated: false,
  baseline: true,
  resume: false,
  multiContainer: false,
  start: (options) => startPushContender('baseline', options),
};
