import { createJobsHandler } from '../../apigw-websocket/src/handlers/jobs.js';
import { syncJobAcceptedSchema } from '../../shared/contract/jobs.js';
import { hold } from '../load.js';
import { pollUntil } from '../../dev-tools/index.js';
import { check, type Scenario } from '../scenario.js';
import { EmulatedAsyncLambda } from './async-invoke.js';
import { recordingTelemetry } from './harness.js';
import { runApigwFault } from './run-fault.js';

/**
 * notify throttled by Lambda. Jobs go through the real jobs handler (`POST /jobs/sync`'s code: token,
 * body, 202) and the real notify handler (the demo job's wait, then the publish), with Lambda's
 * asynchronous invocation between them emulated as AWS documents it (`async-invoke.ts`): reserved
 * concurrency, throttled events back in the queue with backoff, a maximum event age, the on-failure
 * destination, and the documented redrive. The fault: notify's reserved concurrency set to 0 (what
 * `PutFunctionConcurrency 0` does on AWS: every invocation throttled) for a window longer than the
 * maximum event age, so some accepted events age out into the dead-letter queue and are redriven.
 * The promise held: every job that got its 202 notifies its user, once.
 */
export const apigwNotifyThrottled: Scenario = {
  id: 'apigw-notify-throttled',
  variant: 'apigw-websocket',
  title: 'notify throttled by Lambda',
  fast: true,
  run: (context) => {
    const windowMs = context.scale === 'full' ? 15_000 : 6000;
    const reservedConcurrency = 10;
    // AWS's rules with its delays scaled down: maximum age 60 s..6 h -> 4 s (shorter than the
    // window, so some events age out), throttle backoff 1 s..5 min -> 50 ms..1 s, error retries
    // 1 and 2 min -> 200 and 400 ms.
    const maximumEventAgeMs = 4000;
    let notify: EmulatedAsyncLambda<unknown> | undefined;
    let refused = 0;
    let redriveLoop: NodeJS.Timeout | undefined;
    const emulated = (): EmulatedAsyncLambda<unknown> => {
      if (notify === undefined) throw new Error('the emulated notify Lambda is not set up');
      return notify;
    };
    return runApigwFault(
      {
        id: 'apigw-notify-throttled',
        title: 'notify throttled by Lambda',
        fault: `notify's reserved concurrency (${reservedConcurrency}) set to 0 for ${windowMs / 1000} s: every async invocation throttled, retried by the emulated Lambda with backoff; events older than the maximum event age (${maximumEventAgeMs} ms, scaled from AWS's 60 s minimum) go to the on-failure queue and are redriven`,
        users: { quick: 4, full: 20 },
        // Below what 10 executions of a 100 ms job serve on a loaded 2-core machine (a full run at
        // 30/s, beside another test run, kept 68 events in flight after 30 s: arrivals matched the
        // service rate, so the backlog never drained, though nothing was lost).
        perSecond: { quick: 15, full: 15 },
        publish: ({ apigw, ledger }) => {
          notify = new EmulatedAsyncLambda({
            handler: (event) => apigw.invokeNotify(event),
            reservedConcurrency,
            maximumEventAgeMs,
            maximumRetryAttempts: 2,
            // notify's 90 s timeout, scaled as the other delays are.
            timeoutMs: 10_000,
            timing: { throttleBackoffMs: 50, throttleBackoffMaxMs: 1000, retryDelaysMs: [200, 400] },
          });
          const lambda = notify;
          const jobs = createJobsHandler(() => ({
            jwtKey: apigw.jwtKey,
            telemetry: recordingTelemetry(apigw.counts),
            // The jobs handler's async invoke: it answers 202 only once Lambda has queued the event.
            startJob: async (event) => {
              const answer = lambda.invoke(event);
              if (answer.statusCode !== 202) throw new Error(`notify invoke answered ${answer.statusCode}`);
            },
          }));
          return async (userId) => {
            const answer = await jobs({
              headers: { authorization: `Bearer ${await apigw.token(userId)}` },
              // The demo job's wait holds one of notify's executions, as on AWS.
              body: JSON.stringify({ durationMs: 100, outcome: 'complete' }),
            });
            if (answer.statusCode !== 202) {
              refused++;
              return undefined;
            }
            ledger.jobAccepted(userId, syncJobAcceptedSchema.parse(JSON.parse(answer.body ?? '')).jobId);
            return undefined;
          };
        },
        async inject() {
          const lambda = emulated();
          lambda.setReservedConcurrency(0);
          await hold(windowMs);
          lambda.setReservedConcurrency(reservedConcurrency);
          // The operator's redrive from then on (the runbook in docs/APIGW.md, run in a loop until the
          // scenario ends): what aged out or ran out of retries goes back to notify.
          redriveLoop = setInterval(() => lambda.redrive(), 200);
          // The load keeps running, so a few events are always in flight: drained means no backlog
          // beyond what runs, and nothing left in the dead-letter queue.
          const drained = await pollUntil(
            () => lambda.pending <= reservedConcurrency && lambda.deadLetters.length === 0,
            60_000,
            200,
          );
          return {
            checks: [
              check(
                'notify was throttled',
                lambda.stats.throttled > 0,
                `${lambda.stats.throttled} throttled invocations`,
              ),
              check(
                'events older than the maximum age reached the on-failure queue',
                lambda.stats.agedOut > 0,
                `${lambda.stats.agedOut} dead-lettered (EventAgeExceeded), ${lambda.stats.redriven} redriven`,
              ),
              check(
                'the backlog drained and the redrive left nothing behind',
                drained && lambda.deadLetters.length === 0,
                `${lambda.pending} in flight (reserved ${reservedConcurrency}), dead letters ${lambda.deadLetters.length}`,
              ),
              check(
                'notify never ran above its reserved concurrency',
                lambda.maxConcurrent <= reservedConcurrency,
                `at most ${lambda.maxConcurrent} at once (reserved ${reservedConcurrency})`,
              ),
              check('every job request was accepted', refused === 0, `${refused} answered other than 202`),
            ],
            observations: [
              `async events accepted ${lambda.stats.accepted} (redrives included), invocations ${lambda.stats.invocations}, throttled ${lambda.stats.throttled}, function errors ${lambda.stats.errors}, dead-lettered ${lambda.stats.deadLettered}`,
            ],
          };
        },
      },
      context,
      // Events dead-lettered after the fault are redriven by the loop until the ledger has settled.
    ).finally(() => {
      clearInterval(redriveLoop);
      notify?.close();
    });
  },
};
