import type { ChildProcess } from 'node:child_process';

/** Spawned and not yet exited. */
export const isRunning = (child: ChildProcess | undefined): child is ChildProcess =>
  child !== undefined && child.exitCode === null && child.signalCode === null;

export interface StopChildOptions {
  /**
   * Signal the child's whole process group (`process.kill(-pid)`), for a child spawned with
   * `detached: true` that starts processes of its own (serverless-offline and its workers).
   * @default false
   */
  group?: boolean;
}

/**
 * Sends `signal` to a child process and resolves once it has exited (at once when it already has:
 * its 'exit' will not fire again). With `killAfterMs`, a process still there by then gets SIGKILL.
 * The signal is sent before the first await, so a synchronous `process.on('exit')` hook may call
 * it without awaiting. The one way the local stacks, the benchmarks, chaos, the examples' local
 * start, the Redis launcher and the tests stop a process.
 */
export async function stopChild(
  child: ChildProcess | undefined,
  signal: NodeJS.Signals = 'SIGKILL',
  killAfterMs?: number,
  options: StopChildOptions = {},
): Promise<void> {
  if (!isRunning(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const send = (s: NodeJS.Signals) => {
    if (!options.group || child.pid === undefined) return void child.kill(s);
    try {
      process.kill(-child.pid, s);
    } catch {
      // ESRCH: the group is gone already; 'exit' has fired or is about to.
    }
  };
  send(signal);
  const timer =
    killAfterMs !== undefined && signal !== 'SIGKILL'
      ? setTimeout(() => send('SIGKILL'), killAfterMs)
      : undefined;
  await exited;
  clearTimeout(timer);
}
