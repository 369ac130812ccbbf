import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import pWaitFor from 'p-wait-for';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { type ControlPlane, startControlPlane } from '../../../ecs-socketio/local/control-plane.js';
import { type LoadBalancer, startLoadBalancer } from '../../../ecs-socketio/local/load-balancer.js';
import { taskAddress, watchDeregistration } from '../../../ecs-socketio/container/deregistration-watch.js';

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/local/1';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function backend(): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => res.end('ok'));
  const wss = new WebSocketServer({ server });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise((r) => {
        for (const c of wss.clients) c.terminate();
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { server, port: (server.address() as AddressInfo).port };
}

/** One target `t1` behind the stand-in, an open WebSocket to it, and the control plane. */
async function setup(): Promise<{
  lb: LoadBalancer;
  control: ControlPlane;
  port: number;
  elb: ElasticLoadBalancingV2Client;
}> {
  const { port } = await backend();
  const lb = await startLoadBalancer({
    targets: [{ id: 't1', url: `http://127.0.0.1:${port}` }],
    deregistrationDelayMs: 60_000,
  });
  closers.push(() => lb.close());
  const control = await startControlPlane({
    targetGroupArn: ARN,
    targetState: (id) => lb.targetState(id),
    targets: () => [{ id: 't1', ip: '127.0.0.1', port }],
  });
  closers.push(() => control.close());
  const ws = new WebSocket(lb.url.replace('http', 'ws'));
  closers.push(async () => ws.terminate());
  await new Promise((r) => ws.once('open', r));
  const elb = new ElasticLoadBalancingV2Client({
    endpoint: control.elbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  closers.push(async () => elb.destroy());
  return { lb, control, port, elb };
}

describe('the local control plane (DescribeTargetHealth, task metadata v4)', () => {
  it("answers the real ELBv2 client's DescribeTargetHealth with the target's state as the stand-in moves it", async () => {
    const { lb, port, elb } = await setup();
    const ask = async () =>
      (
        await elb.send(
          new DescribeTargetHealthCommand({
            TargetGroupArn: ARN,
            Targets: [{ Id: '127.0.0.1', Port: port }],
          }),
        )
      ).TargetHealthDescriptions?.[0];
    expect(await ask()).toMatchObject({
      Target: { Id: '127.0.0.1', Port: port },
      TargetHealth: { State: 'healthy' },
    });
    void lb.deregister('t1'); // a WebSocket is still open: it stays draining
    expect(await ask()).toMatchObject({
      TargetHealth: { State: 'draining', Reason: 'Target.DeregistrationInProgress' },
    });
  });

  it('refuses an unknown target group the way ELB does', async () => {
    const { elb } = await setup();
    const error = await elb
      .send(new DescribeTargetHealthCommand({ TargetGroupArn: `${ARN}x` }))
      .catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'TargetGroupNotFoundException' });
  });

  it('gives a task its own address from the metadata endpoint, and the watch calls onDraining once the target drains', async () => {
    const { lb, control, port } = await setup();
    expect(await taskAddress(control.metadataUri('t1'))).toBe('127.0.0.1');
    let drainingSeen = 0;
    const watch = watchDeregistration({
      targetGroupArn: ARN,
      metadataUri: control.metadataUri('t1'),
      port,
      pollIntervalMs: 100,
      client: new ElasticLoadBalancingV2Client({
        endpoint: control.elbEndpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
      logger: { info: () => undefined, warn: () => undefined } as never,
      onDraining: () => drainingSeen++,
    });
    closers.push(async () => watch.stop());
    // Polled while healthy, without calling back.
    await pWaitFor(() => control.describeCalls() >= 2);
    expect(drainingSeen).toBe(0);
    void lb.deregister('t1');
    await pWaitFor(() => drainingSeen > 0);
    expect(drainingSeen).toBe(1);
  });
});
