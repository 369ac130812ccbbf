import { keepAliveCatchUp, LOST_LIVE_TIMING, LOST_SHARE_AFTER_FAULT } from '../catch-up.js';
import { hold } from '../load.js';
import { check, type Scenario } from '../scenario.js';
import { runApigwFault } from './run-fault.js';

/**
 * Issue 21: a throttled (or 5xx) `@connections` post used to leave the notification in the log
 * only, until the client's next reconnect (planned at 1 h 58 min). The poster's own throttle
 * retries (4, up to ~8 s of backoff) give up during a 20 s throttle; the next pong names the log's
 * newest id and the SDK resumes for it.
 */
export const apigwThrottledPosts: Scenario = {
  id: 'apigw-throttled-posts',
  variant: 'apigw-websocket',
  title: 'Live posts throttled, then failing',
  fast: false,
  run: (context) => {
    const { faultMs, afterFaultMs, keepAliveIntervalMs, pongTimeoutMs } = LOST_LIVE_TIMING[context.scale];
    const catchUp = keepAliveCatchUp({ keepAliveIntervalMs, pongTimeoutMs });
    return runApigwFault(
      {
        id: 'apigw-throttled-posts',
        title: 'Live posts throttled, then failing',
        fault: `every @connections post of notify answers 429 (LimitExceededException: API Gateway's account throttle covers the callback API) for ${faultMs / 1000} s, then ${LOST_SHARE_AFTER_FAULT * 100}% answer 500 for ${afterFaultMs / 1000} s (SDK middleware in notify's real management client; the pongs' own posts are left alone: on AWS they would be throttled too, and the pong deadline would reconnect and resume instead); ${catchUp.keepAlive} (apigwTransport keepAliveIntervalMs ${keepAliveIntervalMs}, pongTimeoutMs ${pongTimeoutMs})`,
        transport: { keepAliveIntervalMs, pongTimeoutMs },
        catchUp,
        users: { quick: 4, full: 20 },
        perSecond: { quick: 10, full: 20 },
        async inject(env) {
          const faults = env.apigw.postFaults;
          const failedBefore = env.apigw.counts.get('PostsFailed') ?? 0;
          faults.throttled = true;
          await hold(faultMs);
          faults.throttled = false;
          faults.serverErrorRate = LOST_SHARE_AFTER_FAULT;
          await hold(afterFaultMs);
          faults.serverErrorRate = 0;
          const failed = (env.apigw.counts.get('PostsFailed') ?? 0) - failedBefore;
          return {
            checks: [
              check(
                'posts were throttled for the window',
                faults.throttledPosts > 0,
                `${faults.throttledPosts} posts answered 429`,
              ),
              check(
                'some posts answered 500 after it',
                faults.failedPosts > 0,
                `${faults.failedPosts} posts answered 500`,
              ),
              check(
                'live posts failed (those notifications were in the log only)',
                failed > 0,
                `${failed} posts given up by notify (PostsFailed)`,
              ),
            ],
            observations: [
              `throttled PostToConnection attempts retried by the poster: ${env.apigw.counts.get('PostsThrottled') ?? 0}`,
            ],
          };
        },
      },
      context,
    );
  },
};
