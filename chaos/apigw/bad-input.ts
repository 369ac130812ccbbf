import { WebSocket } from 'ws';
import { ErrorCode, serverFrameSchema } from '../../shared/contract/index.js';
import { apigwTextFrames, binaryFrames, DEFAULT_SEED } from '../bad-frames.js';
import { type Attack, type AttackOutcome, badInputScenario, Counts } from '../bad-input.js';
import { forgeTokens } from '../forged-tokens.js';
import { chaosUsers } from '../load.js';
import { type Check, check, MiB, type Scenario } from '../scenario.js';
import { type ChaosApigw, OFFLINE_MEMORY_PROCESS, offlineMemory, startChaosApigw } from './harness.js';

const REFUSAL_CODES = new Set<string>([
  ErrorCode.BadRequest,
  ErrorCode.UnknownAction,
  ErrorCode.PayloadTooLarge,
]);

interface RawClient {
  ws: WebSocket;
  /** Resolves with the next frame (parsed), or `closed <code>`, or `timeout`. */
  next(timeoutMs?: number): Promise<unknown>;
}

/** A plain WebSocket client (not the SDK), as an attacker would write one. */
function openRaw(
  url: string,
  token: string,
  localAddress = '127.0.0.1',
): Promise<RawClient | { refused: number; body: string }> {
  const ws = new WebSocket(`${url}?token=${encodeURIComponent(token)}`, { localAddress });
  const inbox: unknown[] = [];
  let waiter: ((frame: unknown) => void) | undefined;
  const push = (frame: unknown) => {
    if (waiter) {
      const w = waiter;
      waiter = undefined;
      w(frame);
    } else inbox.push(frame);
  };
  ws.on('message', (data) => {
    try {
      push(JSON.parse(data.toString()));
    } catch {
      push(`non-JSON: ${data.toString().slice(0, 40)}`);
    }
  });
  ws.on('close', (code) => push(`closed ${code}`));
  return new Promise((resolve) => {
    ws.once('open', () =>
      resolve({
        ws,
        next: (timeoutMs = 5000) =>
          inbox.length > 0
            ? Promise.resolve(inbox.shift())
            : new Promise((r) => {
                const timer = setTimeout(() => {
                  waiter = undefined;
                  r('timeout');
                }, timeoutMs);
                waiter = (frame) => {
                  clearTimeout(timer);
                  r(frame);
                };
              }),
      }),
    );
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ refused: res.statusCode ?? 0, body }));
      ws.on('error', () => {});
    });
    ws.once('error', () => resolve({ refused: -1, body: 'socket error' }));
  });
}

const isRaw = (value: RawClient | { refused: number }): value is RawClient => 'ws' in value;

/** The attacks on the API Gateway variant; the run around them is chaos/bad-input.ts's. */
async function attack(run: Attack<ChaosApigw>): Promise<AttackOutcome> {
  const { stack: started, ledger, result, victims, fleet, full } = run;
  const track = (ws: WebSocket) => run.onCleanup(() => ws.terminate());
  const generated = full ? 300 : 60;
  const floodCount = full ? 200 : 30;
  const url = started.stack.wsUrl;
  const checks: Check[] = [];
  const attacker = chaosUsers('apigw-attacker', 1)[0] as string;
  const openAttacker = async (localAddress?: string) => {
    const raw = await openRaw(url, await started.token(attacker), localAddress);
    if (!isRaw(raw)) throw new Error(`attacker refused: ${raw.refused}`);
    track(raw.ws);
    return raw;
  };

  // 1. Generated text frames, one at a time: each must get exactly one clear answer.
  const frames = apigwTextFrames(generated, DEFAULT_SEED);
  let raw = await openAttacker();
  const codes = new Counts();
  let unanswered = 0;
  let leaked = 0;
  for (const text of frames) {
    raw.ws.send(text);
    const answer = serverFrameSchema.safeParse(await raw.next());
    if (!answer.success) {
      unanswered++;
      if (raw.ws.readyState !== WebSocket.OPEN) raw = await openAttacker();
      continue;
    }
    const frame = answer.data;
    const key = frame.type === 'error' ? frame.code : frame.type;
    codes.add(key);
    if (frame.type === 'error' && !REFUSAL_CODES.has(frame.code)) unanswered++;
    if (frame.type === 'replay') leaked += frame.notifications.filter((n) => n.userId !== attacker).length;
    if (frame.type === 'notification' && frame.notification.userId !== attacker) leaked++;
  }
  checks.push(
    check(
      'every generated frame got one clear answer',
      unanswered === 0,
      `${frames.length - unanswered} answered, ${unanswered} not`,
    ),
  );
  checks.push(check('no answer carried another user’s notification', leaked === 0, `${leaked}`));
  result.observations.push(`answers: ${codes}`);

  // Reserved route keys as actions: serverless-offline routes them to $connect/$disconnect,
  // which answer nothing; only the sender's own connection can be affected.
  const probe = await openAttacker();
  const reserved: string[] = [];
  for (const action of ['$connect', '$disconnect']) {
    probe.ws.send(JSON.stringify({ action }));
    const answer = serverFrameSchema.safeParse(await probe.next(1500));
    reserved.push(`${action}: ${answer.success ? answer.data.type : 'no answer'}`);
  }
  probe.ws.send(JSON.stringify({ action: 'ping' }));
  const stillServed = serverFrameSchema.safeParse(await probe.next());
  result.observations.push(
    `reserved route keys as actions (${reserved.join(', ')}); the sender's connection afterwards: ${stillServed.success ? stillServed.data.type : 'no answer'}`,
  );

  // 2. Binary frames and oversize frames.
  const binary = binaryFrames(full ? 20 : 5, DEFAULT_SEED);
  const binaryOutcomes = new Counts();
  for (const bytes of binary) {
    raw.ws.send(bytes);
    const answer = await raw.next();
    const parsed = serverFrameSchema.safeParse(answer);
    const key = parsed.success
      ? parsed.data.type === 'error'
        ? parsed.data.code
        : parsed.data.type
      : String(answer);
    binaryOutcomes.add(key);
    if (raw.ws.readyState !== WebSocket.OPEN) raw = await openAttacker();
  }
  const binaryClear = [...binaryOutcomes.keys()].every((k) => REFUSAL_CODES.has(k) || k.startsWith('closed'));
  checks.push(check('binary frames get an error frame or a close', binaryClear, String(binaryOutcomes)));
  const oversize: string[] = [];
  for (const size of [4097, 64 * 1024, 200 * 1024]) {
    raw.ws.send(JSON.stringify({ action: 'ping', padding: 'x'.repeat(size) }));
    const answer = await raw.next();
    const parsed = serverFrameSchema.safeParse(answer);
    oversize.push(
      parsed.success ? (parsed.data.type === 'error' ? parsed.data.code : parsed.data.type) : String(answer),
    );
    if (raw.ws.readyState !== WebSocket.OPEN) raw = await openAttacker();
  }
  checks.push(
    check(
      'oversize frames are refused (payload_too_large, or 1009 above 128 KB)',
      oversize.every((o) => o === ErrorCode.PayloadTooLarge || o === 'closed 1009'),
      `4 KB+1, 64 KB, 200 KB: ${oversize.join(', ')}`,
    ),
  );

  // 3. Rapid fire: API Gateway has no per-connection frame limit to emulate; every frame is answered.
  const rapidCount = 100;
  for (let i = 0; i < rapidCount; i++)
    raw.ws.send(JSON.stringify({ action: 'ping', requestId: `rapid-${i}` }));
  let pongs = 0;
  for (let i = 0; i < rapidCount; i++) {
    const answer = serverFrameSchema.safeParse(await raw.next(10_000));
    if (answer.success && answer.data.type === 'pong') pongs++;
  }
  result.observations.push(
    `rapid fire: ${pongs}/${rapidCount} pings answered (no per-connection frame limit; stage throttling is the AWS control)`,
  );

  // 4. Forged tokens at the upgrade.
  const forged = await forgeTokens({
    attackerUserId: attacker,
    victimUserId: victims[0] as string,
    key: started.jwtKey,
  });
  for (const token of forged) {
    const outcome = await openRaw(url, token.token);
    if (isRaw(outcome)) track(outcome.ws);
    const refused = !isRaw(outcome) ? outcome : undefined;
    checks.push(
      check(
        `forged token (${token.kind}) refused`,
        refused !== undefined && refused.refused >= 400 && refused.refused < 500,
        refused ? `HTTP ${refused.refused} ${refused.body.slice(0, 80)}` : 'connected!',
      ),
    );
  }

  // 5. Another user's replay log.
  const victimNotification = await started.publish(victims[0] as string, 999_999);
  ledger.published(victimNotification);
  raw.ws.send(JSON.stringify({ action: 'resume', after: victimNotification.id, requestId: 'steal-1' }));
  const viaCursor = serverFrameSchema.safeParse(await raw.next());
  raw.ws.send(
    JSON.stringify({
      action: 'resume',
      after: victimNotification.id,
      userId: victims[0],
      requestId: 'steal-2',
    }),
  );
  const withUserId = serverFrameSchema.safeParse(await raw.next());
  checks.push(
    check(
      "another user's replay log stays closed",
      viaCursor.success &&
        viaCursor.data.type === 'replay' &&
        viaCursor.data.notifications.every((n) => n.userId === attacker) &&
        withUserId.success &&
        withUserId.data.type === 'error' &&
        withUserId.data.code === ErrorCode.BadRequest,
      `resume after the victim's id: ${viaCursor.success ? viaCursor.data.type : 'no answer'}; with userId: ${withUserId.success && withUserId.data.type === 'error' ? withUserId.data.code : 'no error'}`,
    ),
  );

  // 6. A connection flood from one address: nothing to meet it locally (see docs/SECURITY.md).
  let admitted = 0;
  for (let i = 0; i < floodCount; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, floodCount - i) }, async () =>
        openRaw(url, await started.token(attacker), '127.0.0.2'),
      ),
    );
    for (const outcome of batch)
      if (isRaw(outcome)) {
        admitted++;
        track(outcome.ws);
      }
  }
  result.observations.push(
    `flood: ${admitted}/${floodCount} connections from one address admitted. API Gateway WebSocket APIs have no per-address limit and AWS WAF cannot attach to them; the defence is account/route throttling and CloudFront + WAF rate rules in front (docs/SECURITY.md). Not emulated.`,
  );
  return {
    checks,
    connections: fleet.members.length + admitted + 1,
    badInputs: [
      `${frames.length} fast-check text frames (seed ${DEFAULT_SEED}; malformed JSON, wrong types, unknown actions)`,
      `${binary.length} binary frames`,
      '3 oversize frames (4 KB+1, 64 KB, 200 KB)',
      `${rapidCount} rapid-fire pings`,
      `${forged.length} forged tokens`,
      '2 replay-log reads of another user',
      `${floodCount}-connection flood from one address`,
    ],
  };
}

export const apigwBadInput: Scenario = badInputScenario<ChaosApigw>({
  id: 'apigw-bad-input',
  variant: 'apigw-websocket',
  title: 'Bad input: frames, tokens, replay logs, flood',
  start: () => startChaosApigw(),
  victims: { quick: 3, full: 8 },
  fleet: (apigw) => ({
    url: apigw.stack.wsUrl,
    transport: () => apigw.transport(),
    token: (userId) => apigw.token(userId),
    connectConcurrency: 5,
  }),
  readyTimeoutMs: 120_000,
  perSecond: { quick: 10, full: 20 },
  publish: (apigw) => (u, s) => apigw.publish(u, s),
  memory: offlineMemory,
  maxGrowthBytes: 96 * MiB,
  attack,
  survived: async (apigw, before) => {
    const after = await apigw.offlineRss();
    const pid = before.get(OFFLINE_MEMORY_PROCESS)?.pid;
    return check(
      'serverless-offline kept serving',
      after !== undefined && after.pid === pid,
      `pid ${after?.pid}`,
    );
  },
  stop: (apigw) => apigw.stop(),
});
