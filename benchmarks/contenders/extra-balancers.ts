import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../../dev-tools/index.js';
import type { ContenderStartOptions } from './contender.js';

const balancerEntry = fileURLToPath(new URL('./balancer-main.ts', import.meta.url));

export interface ExtraBalancer {
  url: string;
  child: ChildProcess;
}

/** One load-balancer process in front of `targets` (see balancer-main.ts for why more than one). */
async function startExtraBalancer(
  targets: { id: string; url: string }[],
  options: ContenderStartOptions,
): Promise<ExtraBalancer> {
  const child = fork(balancerEntry, [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...(process.env as Record<string, string>),
      BENCH_LB_TARGETS: JSON.stringify(targets),
      BENCH_LB_IDLE_TIMEOUT_MS: String(options.idleTimeoutMs ?? 60_000),
      BENCH_LB_STICKY: String(options.sticky ?? false),
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`balancer exited during start-up (code ${code})`)));
    child.on('message', (m: { type?: string; url: string }) => m?.type === 'listening' && resolve(m.url));
  });
  return { url, child };
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
