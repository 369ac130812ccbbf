import type { ChildProcess } from 'node:child_process';
import { stopChild } from '../../dev-tools/index.js';
import { startLoadBalancerNode } from '../../ecs-socketio/local/load-balancer-node.js';
import type { ContenderStartOptions } from './contender.js';

export interface ExtraBalancer {
  url: string;
  child: ChildProcess;
}

/** One load-balancer process in front of `targets` (the ALB stand-in's node: see load-balancer-node-main.ts). */
async function startExtraBalancer(
  targets: { id: string; url: string }[],
  options: ContenderStartOptions,
): Promise<ExtraBalancer> {
  const node = await startLoadBalancerNode({
    targets,
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    sticky: options.sticky ?? false,
  });
  return { url: node.url, child: node.child };
}

/** `options.extraBalancers` load-balancer processes in front of a multi-container contender. */
export function startExtraBalancers(
  targets: { id: string; url: string }[],
  options: ContenderStartOptions,
): Promise<ExtraBalancer[]> {
  return Promise.all(
    Array.from({ length: options.extraBalancers ?? 0 }, () => startExtraBalancer(targets, options)),
  );
}

export async function stopExtraBalancers(balancers: readonly ExtraBalancer[]): Promise<void> {
  await Promise.all(balancers.map(({ child }) => stopChild(child, 'SIGKILL')));
}
