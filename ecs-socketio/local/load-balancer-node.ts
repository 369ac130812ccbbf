import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../../dev-tools/index.js';
import type { DeregistrationResult } from './load-balancer.js';
import type { LoadBalancerNodeOptions, NodeCommand } from './load-balancer-node-main.js';

export type { LoadBalancerNodeOptions } from './load-balancer-node-main.js';

const nodeEntry = fileURLToPath(new URL('./load-balancer-node-main.ts', import.meta.url));

/** One ALB stand-in node in its own process (load-balancer-node-main.ts says why). */
export interface LoadBalancerNode {
  readonly url: string;
  readonly child: ChildProcess;
  /** Registers a target on this node; resolves once its health check there has passed. */
  register(id: string, url: string): Promise<void>;
  /** `LoadBalancer.deregister` on this node: resolves when the target is `unused` here. */
  deregister(id: string): Promise<DeregistrationResult>;
  stop(): Promise<void>;
}

export async function startLoadBalancerNode(options: LoadBalancerNodeOptions): Promise<LoadBalancerNode> {
  const child = fork(nodeEntry, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...(process.env as Record<string, string>), SYNCBELL_LB_NODE: JSON.stringify(options) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`load balancer node exited during start-up (code ${code})`)),
    );
    child.on('message', (m: { type?: string; url: string }) => m?.type === 'listening' && resolve(m.url));
  });
  child.removeAllListeners('exit');
  let nextRequestId = 1;
  const request = (
    command: { type: 'register'; id: string; url: string } | { type: 'deregister'; id: string },
  ) =>
    new Promise<{ result?: DeregistrationResult }>((resolve, reject) => {
      const requestId = nextRequestId++;
      const onMessage = (m: {
        type?: string;
        requestId?: number;
        error?: string;
        result?: DeregistrationResult;
      }) => {
        if (m?.type !== 'done' || m.requestId !== requestId) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (m.error) reject(new Error(`load balancer node ${url}: ${m.error}`));
        else resolve(m);
      };
      const onExit = () => {
        child.off('message', onMessage);
        reject(new Error(`load balancer node ${url} exited`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ ...command, requestId } as NodeCommand);
    });
  return {
    url,
    child,
    async register(id, targetUrl) {
      await request({ type: 'register', id, url: targetUrl });
    },
    async deregister(id) {
      const { result } = await request({ type: 'deregister', id });
      return result ?? { closedByLoadBalancer: 0, drainingMs: 0 };
    },
    stop: () => stopChild(child, 'SIGKILL'),
  };
}
