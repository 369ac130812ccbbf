import type { ChildProcess } from 'node:child_process';

/** Spawned and not yet exited. */
export const isRunning = (child: ChildProcess | undefined): child is ChildProcess =>
  child !== undefined && child.exitCode === null && child.signalCode === null;

/**
 * Sends `signal` to a child process and resolves once it has exited (at once when it already has:
 * its 'exit' will not fire again). With `killAfterMs`, a process still there by then gets SIGKILL.
 * The one way the local stacks, the benchmark contenders and the Redis launcher stop a process.
 */
export async function stopChild(
  child: ChildProcess | undefined,
  signal: NodeJS.Signals = 'SIGKILL',
  killAfterMs?: number,
  options: StopChildOptions = {},
): Promise<void> {
  if (!isRunning(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  send(child, signal, options);
  const timer =
    killAfterMs !== undefined && signal !== 'SIGKILL'
      ? setTimeout(() => send(child, 'SIGKILL', options), killAfterMs)
      : undefined;
  await exited;
  clearTimeout(timer);
}

export interface StopChildOptions {
  /** Signal its whole process group (a child spawned `detached` that starts its own). @default false */
  group?: boolean;
}

/** Sent before stopChild's first await: a synchronous `process.on('exit')` hook may call it unawaited. */
function send(child: ChildProcess, signal: NodeJS.Signals, { group }: StopChildOptions): void {
  if (!group || child.pid === undefined) return void child.kill(signal);
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is gone already; 'exit' has fired or is about to.
  }
}
