import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pWaitFor from 'p-wait-for';
import { describe, expect, it } from 'vitest';
import { checkLocalStack, startEcsLocal } from '../../../ecs-socketio/local/stack.js';
import { ServerErrorCode } from '../../../shared/server/errors.js';
import { withCode } from '../../support/errors.js';

describe('checkLocalStack', () => {
  it('accepts the sharded adapter with the worker on', () => {
    expect(checkLocalStack({ worker: true }, { REDIS_ADAPTER: 'sharded' })).toEqual({ warnings: [] });
  });

  it('refuses what the containers themselves would refuse, before any of them starts', () => {
    expect(() => checkLocalStack({ worker: false }, { PING_INTERVAL_MS: '5' })).toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'PING_INTERVAL_MS'),
    );
  });

  it("warns when the heartbeat is not below the load balancer's idle timeout", () => {
    const { warnings } = checkLocalStack({ idleTimeoutMs: 3000 }, { PING_INTERVAL_MS: '6000' });
    expect(warnings).toEqual([expect.stringMatching(/PING_INTERVAL_MS=6000 .*idle timeout \(3000 ms\)/)]);
    expect(checkLocalStack({ idleTimeoutMs: 3000 }, { PING_INTERVAL_MS: '1000' }).warnings).toEqual([]);
  });

  it('warns about long polling across several containers without sticky sessions', () => {
    expect(checkLocalStack({ allowPolling: true, containers: 2 }, {}).warnings).toEqual([
      expect.stringMatching(/sticky: true/),
    ]);
    expect(checkLocalStack({ allowPolling: true, containers: 2, sticky: true }, {}).warnings).toEqual([]);
    expect(checkLocalStack({ allowPolling: true, containers: 1 }, {}).warnings).toEqual([]);
  });
});

describe('startEcsLocal', () => {
  it('starts a container again when another process took one of its ports meanwhile (EADDRINUSE)', async () => {
    const stack = await startEcsLocal({ containers: 1, worker: false });
    const squatter = createServer();
    try {
      const before = stack.containers()[0];
      await stack.killContainer('ecs-1');
      // What a parallel test may do between freePort() and the container's listen().
      const taken = Number(new URL(before?.metricsUrl ?? '').port);
      await new Promise<void>((resolve) => squatter.listen(taken, resolve));
      await stack.startContainer('ecs-1');
      const after = stack.containers()[0];
      expect(after?.running).toBe(true);
      expect(after?.metricsUrl).not.toBe(before?.metricsUrl);
      expect(after?.url).toBe(before?.url); // the load balancer's target keeps its port
      expect((await fetch(`${stack.url}/readyz`)).status).toBe(200);
    } finally {
      squatter.close();
      await stack.stop();
    }
  });
});

/** Running as Linux sees it (an orphan of the exited parent is reaped by init). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startEcsLocal when its process exits without stop()', () => {
  it('takes its containers and worker with it (found: they outlived a chaos run stopped by its time cap)', async () => {
    // What the chaos run's time cap does: process.exit. The private redis-server goes first (its
    // own exit hook); without the stack's hook the containers, told to stop by their closed IPC
    // channel, drained and then waited forever to close their Redis connections.
    const stackModule = fileURLToPath(new URL('../../../ecs-socketio/local/stack.ts', import.meta.url));
    const script = `
      const { startEcsLocal } = await import(${JSON.stringify(stackModule)});
      const stack = await startEcsLocal({ containers: 1, ownRedis: true });
      console.log(JSON.stringify([stack.containers()[0].pid, stack.worker()?.pid]));
      process.stdin.once('data', () => process.exit(1));
    `;
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: parent.stdout }).once('line', resolve),
    );
    const pids = JSON.parse(line) as number[];
    expect(pids).toEqual([expect.any(Number), expect.any(Number)]);
    try {
      parent.stdin.write('exit\n');
      await pWaitFor(() => pids.every((pid) => !alive(pid)), { interval: 50, timeout: 10_000 });
    } finally {
      for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
    }
  });
});
