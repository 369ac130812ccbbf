import { createNotification, MalformedNotificationError } from '../shared/contract/index.js';
import { runApigwFault } from './apigw/run-fault.js';
import { runEcsFault } from './ecs/run-fault.js';
import type { Fleet } from './fleet.js';
import type { DeliveryLedger } from './ledger.js';
import { hold, type PublishLoadOptions } from './load.js';
import { pollUntil } from '../dev-tools/index.js';
import { type Check, check, type Scenario } from './scenario.js';

/**
 * "A newer server must never break an older client" (issue 12): this version's SDK against a
 * server that publishes a type it does not know (`export.ready`), envelopes with new fields and
 * `v: 2`, and a log holding two corrupt entries per user (one with a readable id, one not JSON).
 * Every valid notification must reach the app once, live or replayed; the corrupt entry with an
 * id must be reported; no client may be sent back to connecting by any of it.
 */
const FAULT =
  'a newer server: 1 in 3 notifications of an unknown type (export.ready), 1 in 3 with new fields and v 2; per user, a corrupt log entry (readable id, wrong types) and a non-JSON one written into the log store, then every client made to resume';

/** What the newer server publishes for `sequence`: this version's envelope, or one it would not create. */
export function newerServerEnvelope(userId: string, sequence: number) {
  const base = createNotification({
    type: 'sync.progress',
    userId,
    jobId: `newer-${sequence}`,
    data: { sequence },
  });
  if (sequence % 3 === 1) return { ...base, type: 'export.ready', priority: 'high' };
  if (sequence % 3 === 2) return { ...base, v: 2, region: 'eu-west-1', data: { sequence, progress: 0.5 } };
  return base;
}

type Envelope = ReturnType<typeof newerServerEnvelope>;

/**
 * The newer server's publisher, with a gate: while it is shut nothing new is published, so once
 * the clients have caught up, entries planted in the log sit after every client's last-seen id
 * and the next resume replays them, whatever the load's timing.
 */
function gatedPublisher(publish: (envelope: Envelope) => Promise<void>) {
  let gate: Promise<void> | undefined;
  let open = () => {};
  let active = 0;
  const gatedPublish: PublishLoadOptions['publish'] = async (userId, sequence) => {
    await gate;
    active++;
    try {
      const envelope = newerServerEnvelope(userId, sequence);
      await publish(envelope);
      return envelope;
    } finally {
      active--;
    }
  };
  return {
    publish: gatedPublish,
    /** Shuts the gate; resolves true once every client has what was published before it. */
    async shut(ledger: DeliveryLedger): Promise<boolean> {
      gate = new Promise((resolve) => {
        open = resolve;
      });
      const drained = await pollUntil(() => active === 0, 10_000, 10);
      return drained && (await ledger.settle(15_000));
    },
    open() {
      open();
      gate = undefined;
    },
  };
}
type GatedPublisher = ReturnType<typeof gatedPublisher>;

/** With the publisher shut: plants two corrupt entries per user, then waits until every client resumed once more. */
async function plantThenResume(
  env: { fleet: Fleet; ledger: DeliveryLedger; users: string[] },
  gated: GatedPublisher,
  write: (userId: string, entry: unknown) => Promise<void>,
  resume: () => void,
  timeoutMs: number,
): Promise<{ corruptIds: Map<string, string>; checks: Check[] }> {
  const caughtUp = await gated.shut(env.ledger);
  const corruptIds = new Map<string, string>();
  for (const userId of env.users) {
    const { id } = createNotification({ type: 'sync.progress', userId, jobId: 'corrupt' });
    await write(userId, { id, userId, type: 42, createdAtMs: 'yesterday' });
    await write(userId, '{not json');
    corruptIds.set(userId, id);
  }
  const before = new Map(env.fleet.members.map((m) => [m, m.resumes]));
  resume();
  const resumed = await env.fleet.waitUntil(
    () => env.fleet.members.every((m) => m.resumes > (before.get(m) ?? 0)),
    timeoutMs,
  );
  gated.open();
  return {
    corruptIds,
    checks: [
      check('clients had caught up before the entries were planted', caughtUp, 'ledger settled'),
      check('every client resumed after they were planted', resumed, `${env.fleet.members.length} clients`),
    ],
  };
}

/** Each client reported its user's corrupt entry with its id, and only once. */
function reportChecks(fleet: Fleet, corruptIds: Map<string, string>): Check[] {
  let reported = 0;
  let repeats = 0;
  for (const member of fleet.members) {
    const ids = member.errors
      .filter((e) => e instanceof MalformedNotificationError)
      .map((e) => e.notificationId);
    if (ids.includes(corruptIds.get(member.userId))) reported++;
    repeats += ids.length - new Set(ids).size;
  }
  return [
    check(
      "every client reported its user's corrupt entry (skipped, with its id)",
      reported === fleet.members.length,
      `${reported} of ${fleet.members.length}`,
    ),
    check('each corrupt entry reported once per client', repeats === 0, `${repeats} repeated reports`),
  ];
}

export const ecsNewerServer: Scenario = {
  id: 'ecs-newer-server',
  variant: 'ecs-socketio',
  title: 'Newer-server notifications',
  fast: true,
  run: (context) => {
    let gated: GatedPublisher | undefined;
    return runEcsFault(
      {
        id: 'ecs-newer-server',
        title: 'Newer-server notifications',
        fault: `${FAULT} (syncbell:resync, twice)`,
        stack: {},
        users: { quick: 4, full: 20 },
        perSecond: { quick: 20, full: 60 },
        publish: ({ ecs }) => {
          gated = gatedPublisher((envelope) => ecs.publishEnvelope(envelope));
          return gated.publish;
        },
        async inject(env) {
          const planted = await plantThenResume(
            env,
            gated as GatedPublisher,
            (userId, entry) => env.ecs.writeLogEntry(userId, entry),
            () => env.ecs.resyncAll(),
            10_000,
          );
          // Once more with the load flowing: the corrupt entries come again and are not re-reported.
          await env.ecs.resyncAll();
          await hold(context.scale === 'full' ? 3000 : 1000);
          const { cuts } = env.fleet.totals();
          return {
            checks: [
              ...planted.checks,
              ...reportChecks(env.fleet, planted.corruptIds),
              check('no client was sent back to connecting', cuts === 0, `${cuts} cuts`),
            ],
          };
        },
      },
      context,
    );
  },
};

export const apigwNewerServer: Scenario = {
  id: 'apigw-newer-server',
  variant: 'apigw-websocket',
  title: 'Newer-server notifications',
  fast: false,
  run: (context) => {
    // The SDK's planned reconnect, shortened: each one resumes, so every client replays the log.
    const maxConnectionAgeMs = context.scale === 'full' ? 4000 : 2000;
    let gated: GatedPublisher | undefined;
    return runApigwFault(
      {
        id: 'apigw-newer-server',
        title: 'Newer-server notifications',
        fault: `${FAULT} (the SDK's planned reconnect every ${maxConnectionAgeMs / 1000} s)`,
        transport: { maxConnectionAgeMs },
        users: { quick: 3, full: 10 },
        perSecond: { quick: 10, full: 20 },
        publish: ({ apigw }) => {
          // A newer notify Lambda runs this same path with a wider Notification type.
          gated = gatedPublisher((envelope) =>
            apigw.publishEnvelope(envelope as Parameters<typeof apigw.publishEnvelope>[0]),
          );
          return gated.publish;
        },
        async inject(env) {
          const planted = await plantThenResume(
            env,
            gated as GatedPublisher,
            (userId, entry) => env.apigw.writeLogEntry(userId, entry),
            () => {}, // the planned reconnect comes on its own
            maxConnectionAgeMs * 2 + 10_000,
          );
          // More rotations with the load flowing: the corrupt entries come again, not re-reported.
          await hold(maxConnectionAgeMs + 1000);
          const back = await env.fleet.allConnected(30_000);
          const others = env.fleet.members
            .flatMap((m) => m.reasons)
            .filter((code) => code !== 'planned_rotation');
          return {
            checks: [
              ...planted.checks,
              ...reportChecks(env.fleet, planted.corruptIds),
              check('every client is connected at the end', back, `${env.fleet.members.length} clients`),
              check(
                'no client was cut for any other reason than the planned rotation',
                others.length === 0,
                others.length === 0 ? 'none' : `${others.length}: ${[...new Set(others)].join(', ')}`,
              ),
            ],
          };
        },
      },
      context,
    );
  },
};
