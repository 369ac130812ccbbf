import { io as ioClient, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import {
  ErrorCode,
  errorFrameBodySchema,
  replayResultSchema,
  SocketEvent,
} from '../../shared/contract/index.js';
import { binaryFrames, DEFAULT_SEED, socketIoEvents } from '../bad-frames.js';
import { type Attack, type AttackOutcome, badInputScenario, Counts } from '../bad-input.js';
import { forgeTokens } from '../forged-tokens.js';
import { chaosUsers, hold } from '../load.js';
import { check, type Check, MiB, type Scenario } from '../scenario.js';
import { type ChaosEcs, startChaosEcs } from './harness.js';
import { userRoom } from '../../ecs-socketio/src/rooms.js';

const MAX_FRAME_BYTES = 16_384;
/** Codes a hostile frame may be answered with; anything else (or silence) is a finding. */
const REFUSAL_CODES = new Set<string>([
  ErrorCode.BadRequest,
  ErrorCode.UnknownAction,
  ErrorCode.Forbidden,
  ErrorCode.RateLimited,
  ErrorCode.PayloadTooLarge,
]);

function connectSocket(url: string, token: string): Promise<{ socket: Socket; error?: { code?: string } }> {
  const socket = ioClient(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: { token },
  });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (error: Error & { data?: { code?: string } }) =>
      resolve({ socket, error: error.data ?? { code: 'no code' } }),
    );
  });
}

/**
 * One raw Engine.IO/Socket.io connection from `localAddress`, with a forged X-Forwarded-For:
 * resolves with the namespace answer (`connected`, or the connect_error code).
 */
function rawConnect(
  wsUrl: string,
  token: string,
  localAddress: string,
  spoofedFor: string,
): Promise<{ outcome: string; ws: WebSocket }> {
  const ws = new WebSocket(`${wsUrl}/socket.io/?EIO=4&transport=websocket`, {
    localAddress,
    headers: { 'x-forwarded-for': spoofedFor },
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ outcome: 'no answer', ws }), 5000);
    ws.on('error', () => {
      clearTimeout(timer);
      resolve({ outcome: 'socket error', ws });
    });
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('0')) ws.send(`40${JSON.stringify({ token })}`);
      else if (text.startsWith('2')) ws.send('3');
      else if (text.startsWith('40')) {
        clearTimeout(timer);
        resolve({ outcome: 'connected', ws });
      } else if (text.startsWith('44')) {
        clearTimeout(timer);
        const code = (JSON.parse(text.slice(2)) as { data?: { code?: string } }).data?.code ?? 'no code';
        resolve({ outcome: code, ws });
      }
    });
  });
}

/** Every container runs with the pid it had before the attacks and answers /healthz. */
async function containersAlive(
  ecs: ChaosEcs,
  before: Map<string, { pid: number; bytes: number }>,
): Promise<boolean> {
  for (const container of ecs.stack.containers()) {
    if (!container.running || container.pid !== before.get(container.id)?.pid) return false;
    const ok = await fetch(`${container.url}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (!ok) return false;
  }
  return true;
}

/** The attacks on the socket.io variant; the run around them is chaos/bad-input.ts's. */
async function attack(run: Attack<ChaosEcs>): Promise<AttackOutcome> {
  const { stack: started, ledger, result, victims, fleet, full } = run;
  const track = (s: Socket | WebSocket) =>
    run.onCleanup(() => (s instanceof WebSocket ? s.terminate() : s.disconnect()));
  const perAddressLimit = perAddressLimitOf(full);
  const generatedCount = full ? 600 : 120;
  const rawCount = full ? 60 : 12;
  const checks: Check[] = [];
  const attackers = chaosUsers('ecs-attacker', 8);
  const attackerSocket = async (index: number) => {
    const userId = attackers[index % attackers.length] as string;
    const { socket, error } = await connectSocket(started.stack.url, await started.token(userId));
    track(socket);
    if (error) throw new Error(`attacker could not connect: ${error.code}`);
    socket.on(SocketEvent.Notification, (payload: unknown) => ledger.attackerReceived(userId, payload));
    return { socket, userId };
  };

  // 1. fast-check generated events, spread over attacker sockets (each has its own frame budget).
  const events = socketIoEvents(generatedCount, DEFAULT_SEED);
  const pool = await Promise.all(attackers.map((_, i) => attackerSocket(i)));
  let answered = 0;
  let unanswered = 0;
  let leaked = 0;
  const codes = new Counts();
  await Promise.all(
    pool.map(async ({ socket, userId }, worker) => {
      for (let i = worker; i < events.length; i += pool.length) {
        const { event, args } = events[i] as { event: string; args: unknown[] };
        const answer: unknown = await socket
          .timeout(3000)
          .emitWithAck(event, ...args)
          .catch(() => undefined);
        const error = errorFrameBodySchema.safeParse(answer);
        const replay = replayResultSchema.safeParse(answer);
        if (error.success && REFUSAL_CODES.has(error.data.code)) {
          answered++;
          codes.add(error.data.code);
        } else if (replay.success) {
          answered++;
          codes.add('replay');
          leaked += replay.data.notifications.filter((n) => n.userId !== userId).length;
        } else unanswered++;
        await hold(60); // under the per-socket budget: rapid fire is tried on its own below
      }
    }),
  );
  checks.push(
    check(
      'every generated event got a clear answer',
      unanswered === 0,
      `${answered} answered, ${unanswered} not`,
    ),
  );
  checks.push(check('no replay answer carried another user’s notification', leaked === 0, `${leaked}`));
  result.observations.push(`answers: ${codes}`);

  // 2. Rapid fire on one socket.
  const rapid = pool[0] as { socket: Socket };
  const rapidAnswers = await Promise.all(
    Array.from({ length: 100 }, () =>
      rapid.socket
        .timeout(5000)
        .emitWithAck(SocketEvent.Resume, {})
        .catch(() => undefined),
    ),
  );
  const limited = rapidAnswers.filter(
    (a) => (a as { code?: string } | undefined)?.code === ErrorCode.RateLimited,
  ).length;
  checks.push(
    check(
      'rapid fire is rate limited, the socket stays',
      limited > 0 && rapid.socket.connected,
      `${limited}/100 rate_limited`,
    ),
  );

  // 3. Oversize frames close the offending connection only.
  let oversizeClosed = 0;
  for (const size of [MAX_FRAME_BYTES + 1, 100_000, 1_000_000]) {
    const { socket } = await attackerSocket(0);
    const closed = new Promise<boolean>((resolve) => {
      socket.once('disconnect', () => resolve(true));
      setTimeout(() => resolve(false), 5000);
    });
    socket.emit(SocketEvent.Resume, { padding: 'x'.repeat(size) });
    if (await closed) oversizeClosed++;
  }
  checks.push(
    check('oversize frames close the sender’s connection', oversizeClosed === 3, `${oversizeClosed}/3`),
  );

  // 4. Garbage that is not Socket.io at all, straight on the WebSocket.
  let garbageClosed = 0;
  const garbage = binaryFrames(rawCount, DEFAULT_SEED);
  const wsUrl = started.stack.url.replace('http', 'ws');
  for (const [i, bytes] of garbage.entries()) {
    const { ws, outcome } = await rawConnect(
      wsUrl,
      await started.token(attackers[0] as string),
      '127.0.0.1',
      '127.0.0.1',
    );
    track(ws);
    if (outcome !== 'connected') continue;
    const closed = new Promise<boolean>((resolve) => {
      ws.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 3000);
    });
    // Alternate binary and text garbage (text that is not an Engine.IO packet).
    ws.send(i % 2 === 0 ? bytes : `9${Buffer.from(bytes).toString('latin1')}`);
    if (await closed) garbageClosed++;
  }
  result.observations.push(
    `non-Socket.io frames: ${garbageClosed}/${garbage.length} connections closed by the server`,
  );

  // 5. Forged tokens, on the socket and on the jobs route.
  const forged = await forgeTokens({
    attackerUserId: attackers[0] as string,
    victimUserId: victims[0] as string,
    key: started.jwtKey,
  });
  for (const token of forged) {
    const { socket, error } = await connectSocket(started.stack.url, token.token);
    track(socket);
    const http = await fetch(`${started.stack.url}/jobs/sync`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const body = (await http.json().catch(() => ({}))) as { code?: string };
    checks.push(
      check(
        `forged token (${token.kind}) refused`,
        error?.code === token.expectedCode && http.status === 401 && body.code === token.expectedCode,
        `socket: ${error?.code ?? 'connected!'}, jobs: ${http.status} ${body.code ?? ''}`,
      ),
    );
  }

  // 6. Another user's rooms and replay log.
  const thief = pool[1] as { socket: Socket; userId: string };
  const victimLog = await started.publish(victims[0] as string, 999_999);
  ledger.published(victimLog);
  const joins = await Promise.all(
    ['join', 'subscribe', 'leave'].map((event) =>
      thief.socket
        .timeout(3000)
        .emitWithAck(event, userRoom(victims[0] as string))
        .catch(() => undefined),
    ),
  );
  const viaCursor = replayResultSchema.safeParse(
    await thief.socket
      .timeout(3000)
      .emitWithAck(SocketEvent.Resume, { after: victimLog.id })
      .catch(() => undefined),
  );
  const withUserId = errorFrameBodySchema.safeParse(
    await thief.socket
      .timeout(3000)
      .emitWithAck(SocketEvent.Resume, { after: victimLog.id, userId: victims[0] })
      .catch(() => undefined),
  );
  checks.push(
    check(
      'room joins refused with forbidden',
      joins.every((a) => (a as { code?: string } | undefined)?.code === ErrorCode.Forbidden),
      joins.map((a) => (a as { code?: string } | undefined)?.code).join(', '),
    ),
  );
  checks.push(
    check(
      "another user's replay log stays closed",
      viaCursor.success &&
        viaCursor.data.notifications.every((n) => n.userId === thief.userId) &&
        withUserId.success &&
        withUserId.data.code === ErrorCode.BadRequest,
      `resume after the victim's id: ${viaCursor.success ? `${viaCursor.data.notifications.length} of the attacker's own` : 'no answer'}; with userId: ${withUserId.success ? withUserId.data.code : 'no answer'}`,
    ),
  );

  // 7. A connection flood from one address (127.0.0.2), each with a different spoofed X-Forwarded-For.
  const floodCount = perAddressLimit * 3 * started.stack.containers().length;
  const outcomes = new Counts();
  const floodToken = await started.token(attackers[2] as string);
  for (let i = 0; i < floodCount; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, floodCount - i) }, (_, j) =>
        rawConnect(wsUrl, floodToken, '127.0.0.2', `10.0.${(i + j) >> 8}.${(i + j) & 255}`),
      ),
    );
    for (const { outcome, ws } of batch) {
      track(ws);
      outcomes.add(outcome);
    }
  }
  const admitted = outcomes.get('connected') ?? 0;
  const limitedFlood = outcomes.get(ErrorCode.RateLimited) ?? 0;
  checks.push(
    check(
      'the per-address limit holds against a flood with spoofed X-Forwarded-For',
      admitted <= perAddressLimit * started.stack.containers().length &&
        limitedFlood === floodCount - admitted,
      `${floodCount} attempts: ${outcomes} (limit ${perAddressLimit} per container)`,
    ),
  );
  return {
    checks,
    connections: fleet.members.length + pool.length + admitted,
    badInputs: [
      `${events.length} fast-check events (seed ${DEFAULT_SEED}; JSON, binary, room verbs, random names)`,
      '100 rapid-fire frames',
      '3 oversize frames (16 KB+1, 100 KB, 1 MB)',
      `${garbage.length} non-Socket.io frames`,
      `${forged.length} forged tokens x (socket, jobs route)`,
      '3 room joins, 2 replay-log reads of another user',
      `${floodCount}-connection flood from one address`,
    ],
  };
}

/** Connections one address may hold per container (`MAX_CONNECTIONS_PER_ADDRESS`). */
const perAddressLimitOf = (full: boolean) => (full ? 50 : 10);

export const ecsBadInput: Scenario = badInputScenario<ChaosEcs>({
  id: 'ecs-bad-input',
  variant: 'ecs-socketio',
  title: 'Bad input: frames, tokens, rooms, flood',
  start: (scale) =>
    startChaosEcs({
      worker: false,
      env: { MAX_CONNECTIONS_PER_ADDRESS: String(perAddressLimitOf(scale === 'full')) },
    }),
  victims: { quick: 4, full: 10 },
  fleet: (ecs) => ({
    url: ecs.stack.url,
    transport: (label) => ecs.transport(label),
    token: (userId) => ecs.token(userId),
  }),
  perSecond: { quick: 20, full: 40 },
  publish: (ecs) => (u, s) => ecs.publish(u, s),
  memory: (ecs) => ecs.containerRss(),
  maxGrowthBytes: 64 * MiB,
  attack,
  survived: async (ecs, before) =>
    check('no container crashed or restarted', await containersAlive(ecs, before), 'same pids, /healthz 200'),
  stop: (ecs) => ecs.stop(),
});
