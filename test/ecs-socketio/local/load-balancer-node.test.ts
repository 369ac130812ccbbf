import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  type LoadBalancerNode,
  startLoadBalancerNode,
} from '../../../ecs-socketio/local/load-balancer-node.js';
import { backend } from '../support/backend.js';

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await thing.close();
});

const openWs = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url.replace('http', 'ws'));
    opened.push({ close: async () => ws.terminate() });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });

describe('a load balancer node in its own process', () => {
  it('routes to a target registered over IPC, and a deregistration closes what is open at the end of the delay', {
    timeout: 60_000,
  }, async () => {
    const a = await backend('a');
    const b = await backend('b');
    opened.push(a, b);
    const node: LoadBalancerNode = await startLoadBalancerNode({
      targets: [{ id: 'a', url: a.url }],
      healthCheckIntervalMs: 100,
      deregistrationDelayMs: 500,
    });
    opened.push({ close: () => node.stop() });
    await node.register('b', b.url);
    const answered = new Set<string>();
    for (let i = 0; i < 4; i++) answered.add(await (await fetch(node.url)).text());
    expect([...answered].sort()).toEqual(['a', 'b']);

    const sockets = [await openWs(node.url), await openWs(node.url)];
    const closed = sockets.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
    const result = await node.deregister('a');
    // One of the two tunnels went to `a` (round robin) and was still open when the delay ended.
    expect(result.closedByLoadBalancer).toBe(1);
    expect(result.drainingMs).toBeGreaterThanOrEqual(400);
    await Promise.race(closed);
    for (let i = 0; i < 3; i++) expect(await (await fetch(node.url)).text()).toBe('b');
  });
});
