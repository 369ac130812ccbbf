import { afterAll, describe, expect, it } from 'vitest';
import { shutdownClientPool } from '../../benchmarks/load/fleet.js';
import { type ChaosEcs, startChaosEcs } from '../../chaos/ecs/harness.js';
import { startFleet } from '../../chaos/fleet.js';
import { DeliveryLedger } from '../../chaos/ledger.js';
import { chaosUsers } from '../../chaos/load.js';

/**
 * The storms' fleet: SDK clients in a client process, through an ALB stand-in node in a process
 * of its own. What the scenarios read (the ledger, states, resumes, servedBy, cuts and reasons)
 * must come through as from clients in this process.
 */
describe('a chaos fleet in client processes', () => {
  let ecs: ChaosEcs | undefined;
  afterAll(async () => {
    await ecs?.stop();
    await shutdownClientPool();
  });

  it('feeds the ledger and the members from the clients’ reported events, and a stop in ECS order deregisters on every node', {
    timeout: 90_000,
  }, async () => {
    ecs = await startChaosEcs({
      containers: 1,
      worker: false,
      loadBalancerNodes: 1,
      env: { DRAIN_TIMEOUT_MS: '3000', DEREGISTRATION_POLL_MS: '500' },
    });
    const started = ecs;
    expect(started.stack.nodeUrls).toHaveLength(1);
    const ledger = new DeliveryLedger();
    const users = chaosUsers('fleet-processes', 3);
    const fleet = startFleet({
      ledger,
      url: started.stack.url,
      transport: (label) => started.transport(label),
      token: (userId) => started.token(userId),
      users,
      clientsPerUser: 2,
      processes: { count: 1, kind: 'socketio', urls: started.stack.nodeUrls, jwtSecret: started.jwtSecret },
    });
    try {
      await fleet.ready(30_000);
      expect(
        fleet.members.every((m) => m.client.state === 'connected' && m.client.servedBy === 'ecs-1'),
      ).toBe(true);
      // Through the node, not this process's stand-in.
      expect(started.stack.lb.tunnels()).toHaveLength(0);
      for (const [i, userId] of users.entries()) ledger.published(await started.publish(userId, i));
      expect(await ledger.settle(20_000)).toBe(true);
      expect(ledger.summary()).toMatchObject({ lost: 0, duplicates: 0, crossUser: 0, published: 3 });

      // Deregistered on the node too: the node routes the moved clients to the new container (it
      // would send them back to ecs-1 otherwise), and they all left before the delay ended.
      const added = await started.stack.addContainer();
      const report = await started.stack.stopTask('ecs-1');
      expect(report.closedByLoadBalancer).toBe(0);
      expect(
        await fleet.waitUntil(
          () => fleet.members.every((m) => m.client.state === 'connected' && m.client.servedBy === added),
          30_000,
        ),
      ).toBe(true);
      // Make before break, reported from the client processes: each moved once, without a cut.
      expect(fleet.members.map((m) => [m.moves, m.cuts])).toEqual(fleet.members.map(() => [1, 0]));
    } finally {
      await fleet.close();
    }
  });
});
