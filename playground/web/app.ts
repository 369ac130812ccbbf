/**
 * The playground page. Plain DOM, no framework: two panels, each driven by one SDK client, so
 * the page shows exactly what the SDK reports and nothing the page made up.
 */
import { apigwTransport } from '../../shared/client/apigw.js';
import {
  CloseCode,
  type ClientState,
  createClient,
  DisconnectCode,
  type DisconnectReason,
  ErrorCode,
  type SyncbellClient,
  type Transport,
} from '../../shared/client/index.js';
import { socketIoTransport } from '../../shared/client/socketio.js';
// The same cap on both variants' job API (a constant: no zod reaches the page).
import { MAX_SYNC_JOB_DURATION_MS } from '../../shared/contract/wire.js';

interface PlaygroundConfig {
  ecs: {
    url: string;
    redisMode: string;
    redisRestartable: boolean;
    containers: { id: string; running: boolean }[];
  };
  apigw: { wsUrl: string; httpUrl: string } | null;
  apigwProblem: string | null;
}

const params = new URLSearchParams(location.search);
const users = ['alice', 'bob', 'carol'];
const user = params.get('user') ?? 'alice';
const brokenToken = params.get('badtoken') === '1';
/** Marks this tab's tunnels at the proxies so "drop my network" hits only this tab. */
const clientId = crypto.randomUUID();

const $ = <T extends HTMLElement>(selector: string, root: ParentNode = document): T => {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`missing ${selector}`);
  return element;
};

function say(text: string): void {
  $('#control-status').textContent = text;
}

async function getToken(): Promise<string> {
  const response = await fetch(
    `/api/token?user=${encodeURIComponent(user)}${brokenToken ? '&broken=1' : ''}`,
  );
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

function describeReason(reason: DisconnectReason | undefined): string {
  if (!reason) return '';
  switch (reason.code) {
    case ErrorCode.InvalidToken:
      return 'Bad token: the server refused it. Reload without ?badtoken=1.';
    case ErrorCode.TokenExpired:
      return 'Token expired: fetching a new one.';
    case ErrorCode.ServerShuttingDown:
      return 'Container draining: moving to another one.';
    case DisconnectCode.ConnectError:
    case CloseCode.Abnormal:
    case DisconnectCode.TransportClose:
    case DisconnectCode.PingTimeout:
      return `Backend unreachable or connection lost (${reason.reason}). Retrying.`;
    default:
      return reason.reason;
  }
}

interface Panel {
  client: SyncbellClient | undefined;
  jobPath: string;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function mountPanel(
  root: HTMLElement,
  options: {
    name: string;
    transport?: Transport;
    url?: string;
    unavailable?: string;
    showContainer: boolean;
  },
): Panel {
  const body = $('[data-panel-body]', root);
  body.innerHTML = `
    <p class="state"><span class="badge" data-testid="state" data-state="disconnected">disconnected</span>
      <span class="reason" data-testid="reason"></span></p>
    ${options.showContainer ? '<p class="served">Served by <strong data-testid="served-by">…</strong> <button type="button" data-testid="kill">Kill this container</button></p>' : ''}
    <p class="error" role="alert" data-testid="error"></p>
    <dl class="summary" aria-label="Latency summary">
      <div><dt>received</dt><dd data-testid="count">0</dd></div>
      <div><dt>p50 ms</dt><dd data-testid="p50">–</dd></div>
      <div><dt>p95 ms</dt><dd data-testid="p95">–</dd></div>
      <div><dt>max ms</dt><dd data-testid="max">–</dd></div>
    </dl>
    <ol class="log" aria-label="${options.name} notifications" data-testid="log"><li class="empty">No notifications yet.</li></ol>`;
  const stateBadge = $('[data-testid=state]', body);
  const reasonText = $('[data-testid=reason]', body);
  const errorText = $('[data-testid=error]', body);
  const log = $<HTMLOListElement>('[data-testid=log]', body);
  const latencies: number[] = [];

  const showState = (state: ClientState | 'reconnecting', reason?: DisconnectReason) => {
    stateBadge.textContent = state;
    stateBadge.dataset.state = state;
    reasonText.textContent = describeReason(reason);
  };

  if (!options.transport || !options.url) {
    showState('disconnected');
    errorText.textContent = `Not running: ${options.unavailable ?? 'unknown reason'}`;
    return { client: undefined, jobPath: '' };
  }

  const client = createClient({
    transport: options.transport,
    url: options.url,
    token: getToken,
    autoConnect: false,
  });
  client.on('state', ({ oldState, newState, reason }) => {
    const reconnecting = newState === 'connecting' && (oldState === 'connected' || reason !== undefined);
    showState(reconnecting ? 'reconnecting' : newState, reason);
    if (newState === 'connected') errorText.textContent = '';
  });
  client.on('error', (error) => {
    errorText.textContent =
      error.code === 'invalid_token'
        ? 'Bad token: the server refused this tab’s token.'
        : `${error.code}: ${error.message}`;
  });
  client.on('resumed', ({ servedBy, replayed, truncated }) => {
    if (options.showContainer) $('[data-testid=served-by]', body).textContent = servedBy ?? 'unknown';
    if (truncated) errorText.textContent = 'Some history expired while away (resume was truncated).';
    if (replayed > 0) reasonText.textContent = `Resumed: ${replayed} missed notification(s) replayed.`;
  });
  client.on('notification', ({ notification, meta }) => {
    log.querySelector('.empty')?.remove();
    latencies.push(meta.latencyMs);
    const sorted = [...latencies].sort((a, b) => a - b);
    $('[data-testid=count]', body).textContent = String(latencies.length);
    $('[data-testid=p50]', body).textContent = String(percentile(sorted, 50));
    $('[data-testid=p95]', body).textContent = String(percentile(sorted, 95));
    $('[data-testid=max]', body).textContent = String(sorted.at(-1));
    const item = document.createElement('li');
    item.dataset.testid = 'notification';
    item.dataset.jobId = notification.jobId;
    item.dataset.mark = meta.replayed ? 'replayed' : 'live';
    const time = document.createElement('time');
    time.dateTime = new Date(meta.receivedAtMs).toISOString();
    time.textContent = new Date(meta.receivedAtMs).toLocaleTimeString();
    const what = document.createElement('span');
    what.className = notification.type === 'sync.failed' ? 'type-failed' : 'type-complete';
    const ranOn = typeof notification.data?.ranOn === 'string' ? ` · ran on ${notification.data.ranOn}` : '';
    // The end of a job_<ULID> id: its start is the time, the same for jobs started together.
    what.textContent = `${notification.type} · job ${notification.jobId?.slice(-8) ?? '-'}${ranOn}`;
    const latency = document.createElement('span');
    latency.className = 'latency';
    latency.textContent = `${meta.latencyMs} ms`;
    const mark = document.createElement('span');
    mark.className = `mark ${meta.replayed ? 'replayed' : 'live'}`;
    mark.textContent = meta.replayed ? 'replayed' : 'live';
    item.append(time, what, latency, mark);
    log.prepend(item);
  });
  client.connect();

  if (options.showContainer) {
    $('[data-testid=kill]', body).addEventListener('click', async () => {
      const id = client.servedBy;
      if (!id) return say('Not connected to a container yet.');
      const response = await fetch(`/api/containers/${encodeURIComponent(id)}/kill`, { method: 'POST' });
      const answer = (await response.json()) as { replacedInSeconds?: number; message?: string };
      say(
        response.ok
          ? `Killed ${id} (SIGKILL). ECS-style replacement in ${answer.replacedInSeconds} s.`
          : `Could not kill ${id}: ${answer.message}`,
      );
    });
  }
  return { client, jobPath: options.name };
}

async function startSync(panelKey: 'ecs' | 'apigw', panel: Panel): Promise<void> {
  if (!panel.client) return;
  const seconds = Number($<HTMLInputElement>('#duration').value) || 0;
  const response = await fetch(`/api/jobs/${panelKey}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await getToken()}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      durationMs: Math.min(MAX_SYNC_JOB_DURATION_MS, Math.round(Math.max(0, seconds) * 1000)),
    }),
  });
  const answer = (await response.json()) as { jobId?: string; message?: string; code?: string };
  if (!response.ok)
    throw new Error(`${panelKey}: ${answer.code ?? response.status}: ${answer.message ?? ''}`);
}

async function main(): Promise<void> {
  const userSelect = $<HTMLSelectElement>('#user');
  if (!users.includes(user)) userSelect.add(new Option(user, user));
  userSelect.value = user;
  userSelect.addEventListener('change', () => {
    location.search = `?user=${encodeURIComponent(userSelect.value)}`;
  });
  $<HTMLAnchorElement>('#tab-same').href = `?user=${encodeURIComponent(user)}`;
  $<HTMLAnchorElement>('#tab-other').href = `?user=${users.find((u) => u !== user) ?? 'bob'}`;
  document.title = `syncbell playground · ${user}`;

  let config: PlaygroundConfig;
  try {
    config = (await (await fetch('/api/config')).json()) as PlaygroundConfig;
  } catch (error) {
    say(`The playground backend is down: ${(error as Error).message}. Is \`npm start\` still running?`);
    return;
  }
  const ecs = mountPanel($('#panel-ecs'), {
    name: 'ECS',
    transport: socketIoTransport({ query: { client: clientId } }),
    url: config.ecs.url,
    showContainer: true,
  });
  const apigw = mountPanel($('#panel-apigw'), {
    name: 'API Gateway',
    ...(config.apigw
      ? { transport: apigwTransport(), url: `${config.apigw.wsUrl}/?client=${clientId}` }
      : {}),
    unavailable: config.apigwProblem ?? undefined,
    showContainer: false,
  });

  const run = (what: string, work: () => Promise<unknown>) => async () => {
    try {
      await work();
      say(what);
    } catch (error) {
      say(`Failed: ${(error as Error).message}`);
    }
  };
  $('#sync-both').addEventListener(
    'click',
    run('Sync started on both variants.', () =>
      Promise.all([startSync('ecs', ecs), startSync('apigw', apigw)]),
    ),
  );
  $('#sync-ecs').addEventListener(
    'click',
    run('Sync started on ECS.', () => startSync('ecs', ecs)),
  );
  $('#sync-apigw').addEventListener(
    'click',
    run('Sync started on API Gateway.', () => startSync('apigw', apigw)),
  );
  if (!config.apigw) $<HTMLButtonElement>('#sync-apigw').disabled = true;
  $('#drop').addEventListener(
    'click',
    run(
      'Network dropped for this tab: no bytes either way, no close. Watch the heartbeats notice.',
      async () => {
        const seconds = Number($<HTMLInputElement>('#drop-seconds').value) || 10;
        const response = await fetch('/api/network-drop', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ clientId, seconds }),
        });
        if (!response.ok) throw new Error(((await response.json()) as { message: string }).message);
      },
    ),
  );
  const restart = $<HTMLButtonElement>('#restart-redis');
  if (!config.ecs.redisRestartable) {
    restart.disabled = true;
    restart.title = `Redis is ${config.ecs.redisMode}: not owned by this playground (start with --own-redis)`;
  }
  restart.addEventListener(
    'click',
    run('Redis restarted: containers resubscribe and ask clients to resume.', async () => {
      const response = await fetch('/api/redis/restart', { method: 'POST' });
      if (!response.ok) throw new Error(((await response.json()) as { message: string }).message);
    }),
  );
}

void main();
