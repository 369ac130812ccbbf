import type { Contender } from './contender.js';
import { startPushContender } from './push-contender.js';

/**
 * Plain socket.io + the classic Redis adapter with nothing of syncbell's (servers/socketio-plain-main.ts),
 * the same 2 containers behind the same load balancer as `socketio-redis`: the reference row that
 * syncbell's overhead over socket.io is measured against, in the same run (issue 16).
 */
export const socketIoPlain: Contender = {
  id: 'socketio-plain',
  label:
    'Plain socket.io + Redis adapter (no auth, replay log, metrics or limits), 2 containers behind the load balancer',
  emulated: false,
  baseline: false,
  reference: true,
  resume: false,
  multiContainer: true,
  // The scale scenario's same-run reference: how plain socket.io's CPU per delivery grows with the
  // container count on this machine, beside syncbell's, on both adapters.
  scaleAdapters: ['classic', 'sharded'],
  start: (options) => startPushContender('socketio-plain', options, 2),
};
