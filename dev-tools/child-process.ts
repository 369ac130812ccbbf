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
): Promise<void> {
  if (!isRunning(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer =
    killAfterMs !== undefined && signal !== 'SIGKILL'
      ? setTimeout(() => child.kill('SIGKILL'), killAfterMs)
      : undefined;
  await exited;
  clearTimeout(timer);
}
