import { createNotification } from '../../shared/contract/index.js';
import { keepAliveCatchUp, LOST_LIVE_TIMING, LOST_SHARE_AFTER_FAULT } from '../catch-up.js';
import { hold } from '../load.js';
import { check, type Scenario } from '../scenario.js';
import { runEcsFault } from './run-fault.js';

/**
 * The socket.io counterpart of `apigw-throttled-posts`: notifications reach the user's log but
 * their live emit reaches no container. It stands for a container's Redis subscription silently
 * gone while its connection stays up, so the outage recovery (which runs when the subscriber
 * reconnects) never fires: Redis Cluster unsubscribes sharded channels on a slot migration
 * (`-SUNSUBSCRIBE`) and node-redis does not subscribe again (node-redis #3311, docs FACTS.md), or
 * a PUBLISH that met no subscriber. Emulated by writing the log entry alone (what the publish
 * script writes, without its PUBLISH) for the fault window, then 30% of the publishes for the
 * rest, so lost emits sit below delivered ones.
 */
export const ecsLostLiveEmits: Scenario = {
  id: 'ecs-lost-live-emits',
  variant: 'ecs-socketio',
  title: 'Live emits lost, the log intact',
  fast: false,
  run: (context) => {
    const { faultMs, afterFaultMs, keepAliveIntervalMs, pongTimeoutMs } = LOST_LIVE_TIMING[context.scale];
    const catchUp = keepAliveCatchUp({ keepAliveIntervalMs, pongTimeoutMs });
    let lostShare = 0;
    let logOnly = 0;
    return runEcsFault(
      {
        id: 'ecs-lost-live-emits',
        title: 'Live emits lost, the log intact',
        fault: `every notification is appended to the user's log but its emit reaches no container for ${faultMs / 1000} s, then ${LOST_SHARE_AFTER_FAULT * 100}% of them for ${afterFaultMs / 1000} s (a subscription dropped without a reconnect: a Redis Cluster slot migration's SUNSUBSCRIBE that node-redis does not redo); ${catchUp.keepAlive} (socketIoTransport keepAliveIntervalMs ${keepAliveIntervalMs}, pongTimeoutMs ${pongTimeoutMs})`,
        stack: {},
        keepAlive: { keepAliveIntervalMs, pongTimeoutMs },
        catchUp,
        users: { quick: 6, full: 40 },
        perSecond: { quick: 20, full: 40 },
        publish:
          ({ ecs }) =>
          async (userId, sequence) => {
            if (Math.random() >= lostShare) return ecs.publish(userId, sequence);
            logOnly++;
            const notification = createNotification({
              type: 'sync.progress',
              userId,
              jobId: `chaos-${sequence}`,
              data: { sequence },
            });
            await ecs.writeLogEntry(userId, notification);
            return notification;
          },
        async inject() {
          lostShare = 1;
          await hold(faultMs);
          lostShare = LOST_SHARE_AFTER_FAULT;
          await hold(afterFaultMs);
          lostShare = 0;
          return {
            checks: [check('live emits were lost', logOnly > 0, `${logOnly} notifications in the log only`)],
          };
        },
      },
      context,
    );
  },
};
