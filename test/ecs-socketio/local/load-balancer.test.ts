import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type LoadBalancer, startLoadBalancer } from '../../../ecs-socketio/local/load-balancer.js';
import { backend } from '../support/backend.js';

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await thing.close();
});

async function setup(
  options: { idleTimeoutMs?: number; sticky?: boolean; deregistrationDelayMs?: number } = {},
): Promise<{ lb: LoadBalancer; ids: string[] }> {
  const backends = [await backend('a'), await backend('b')];
  opened.push(...backends);
  const lb = await startLoadBalancer({
    targets: backends.map(({ id, url }) => ({ id, url })),
    healthCheckIntervalMs: 100,
    ...options,
  });
  opened.push(lb);
  return { lb, ids: backends.map((b) => b.id) };
}

function openWs(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url.replace('http', 'ws'));
  opened.push({ close: async () => ws.terminate() });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const echo = (ws: WebSocket, text: string) =>
  new Promise<string>((resolve) => {
    ws.once('message', (data) => resolve(String(data)));
    ws.send(text);
  });

describe('local load balancer (ALB stand-in)', () => {
  it('spreads requests round robin over healthy targets', async () => {
    const { lb } = await setup();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await (await fetch(`${lb.url}/`)).text());
    expect(answers.sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('tunnels WebSocket upgrades to alternating targets', async () => {
    const { lb } = await setup();
    const first = await echo(await openWs(lb.url), 'hi');
    const second = await echo(await openWs(lb.url), 'hi');
    expect([first, second].sort()).toEqual(['a:hi', 'b:hi']);
    expect(lb.tunnels()).toHaveLength(2);
  });

  it('closes a tunnel that carried no bytes for the idle timeout, and keeps a busy one', async () => {
    const { lb } = await setup({ idleTimeoutMs: 300 });
    const idle = await openWs(lb.url);
    const busy = await openWs(lb.url);
    const idleClosed = new Promise((resolve) => idle.once('close', resolve));
    let busyClosed = false;
    busy.once('close', () => {
      busyClosed = true;
    });
    // Keep `busy` talking more often than the timeout until `idle` is cut.
    let cut = false;
    void idleClosed.then(() => {
      cut = true;
    });
    while (!cut) await echo(busy, 'ping');
    expect(busyClosed).toBe(false);
  });

  it('pins a client to one target with the sticky cookie', async () => {
    const { lb } = await setup({ sticky: true });
    const first = await fetch(`${lb.url}/`);
    const cookie = first.headers.get('set-cookie')?.split(';')[0] ?? '';
    const target = await first.text();
    for (let i = 0; i < 3; i++)
      expect(await (await fetch(`${lb.url}/`, { headers: { cookie } })).text()).toBe(target);
  });

  it('stops routing to a target once it refuses a connection, before any health check runs', async () => {
    const backends = [await backend('a'), await backend('b')];
    opened.push(...backends.slice(1));
    const lb = await startLoadBalancer({
      targets: backends.map(({ id, url }) => ({ id, url })),
      healthCheckIntervalMs: 60_000,
    });
    opened.push(lb);
    await backends[0]?.close();
    // Round robin tries `a` within two attempts; that attempt fails, like a 502 at an ALB.
    const firstTwo = await Promise.allSettled([openWs(lb.url), openWs(lb.url)]);
    expect(firstTwo.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(lb.healthyTargets()).toEqual(['b']);
    for (let i = 0; i < 3; i++) expect(await echo(await openWs(lb.url), 'x')).toBe('b:x');
  });

  it('takes a target out after unhealthyThresholdCount failed probes in a row, not after one', async () => {
    let failing = false;
    const flaky = createServer((req, res) => {
      res.writeHead(req.url === '/readyz' && failing ? 503 : 200);
      res.end('flaky');
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    opened.push({ close: () => new Promise<void>((r) => flaky.close(() => r())) });
    const steady = await backend('b');
    opened.push(steady);
    const url = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
    const lb = await startLoadBalancer({
      targets: [{ id: 'a', url }, steady],
      healthCheckIntervalMs: 100,
      unhealthyThresholdCount: 3,
    });
    opened.push(lb);
    const states: string[] = [];
    failing = true;
    // Each probe round is recorded: `a` stays in service for two failed rounds, out on the third.
    for (let round = 0; round < 6 && lb.targetState('a') === 'healthy'; round++) {
      await new Promise((r) => setTimeout(r, 100));
      states.push(lb.targetState('a'));
    }
    expect(states.at(-1)).toBe('unhealthy');
    expect(states.filter((s) => s === 'healthy').length).toBeGreaterThanOrEqual(1);
    expect(lb.healthyTargets()).toEqual(['b']);
  });

  it('routes to every registered target when none is healthy (the ALB fails open)', async () => {
    const unready = createServer((req, res) => {
      res.writeHead(req.url === '/readyz' ? 503 : 200);
      res.end('still serving');
    });
    await new Promise<void>((r) => unready.listen(0, '127.0.0.1', r));
    opened.push({ close: () => new Promise<void>((r) => unready.close(() => r())) });
    const url = `http://127.0.0.1:${(unready.address() as AddressInfo).port}`;
    const lb = await startLoadBalancer({
      targets: [{ id: 'a', url }],
      healthCheckIntervalMs: 50,
      unhealthyThresholdCount: 1,
    });
    opened.push(lb);
    expect(lb.targetState('a')).toBe('unhealthy');
    expect(lb.healthyTargets()).toEqual([]);
    const answer = await fetch(`${lb.url}/`);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('still serving');
  });

  it('sends no new connection to a draining target, and leaves its open tunnels alone', async () => {
    const { lb } = await setup({ deregistrationDelayMs: 60_000 });
    const sockets = [await openWs(lb.url), await openWs(lb.url)];
    const deregistered = lb.deregister('a');
    expect(lb.targetState('a')).toBe('draining');
    for (let i = 0; i < 3; i++) expect(await echo(await openWs(lb.url), 'x')).toBe('b:x');
    expect((await Promise.all(sockets.map((ws) => echo(ws, 'y')))).sort()).toEqual(['a:y', 'b:y']);
    // The last connection to `a` leaving completes the deregistration before the delay.
    for (const ws of sockets) ws.close();
    expect(await deregistered).toMatchObject({ closedByLoadBalancer: 0 });
    expect(lb.targetState('a')).toBe('unused');
  });

  it('closes the connections still open when the deregistration delay ends', async () => {
    const { lb } = await setup({ deregistrationDelayMs: 300 });
    const sockets = [await openWs(lb.url), await openWs(lb.url), await openWs(lb.url)];
    const targets = await Promise.all(sockets.map((ws) => echo(ws, 'who')));
    const toA = sockets.filter((_, i) => targets[i] === 'a:who');
    const toB = sockets.filter((_, i) => targets[i] === 'b:who');
    const cut = Promise.all(toA.map((ws) => new Promise((r) => ws.once('close', r))));
    const result = await lb.deregister('a');
    expect(result.closedByLoadBalancer).toBe(toA.length);
    expect(lb.targetState('a')).toBe('unused');
    await cut;
    // Only the tunnels to `a` were cut; those to `b` still echo.
    expect(await Promise.all(toB.map((ws) => echo(ws, 'z')))).toEqual(toB.map(() => 'b:z'));
  });

  it('blackholes a tunnel silently: no close, no bytes, until the hole ends', async () => {
    const { lb } = await setup();
    const ws = await openWs(lb.url);
    expect(await echo(ws, 'before')).toMatch(/:before$/);
    expect(lb.blackhole(() => true, 300)).toBe(1);
    let closed = false;
    ws.once('close', () => {
      closed = true;
    });
    // The echo sent into the hole only comes back after it ends; the socket never closed.
    expect(await echo(ws, 'during')).toMatch(/:during$/);
    expect(closed).toBe(false);
    expect(lb.tunnels()[0]?.blackholed).toBe(false);
  });
});
