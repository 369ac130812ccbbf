import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import pWaitFor from 'p-wait-for';
import { describe, expect, it } from 'vitest';
import { isRunning, stopChild } from '../../dev-tools/child-process.js';

/**
 * Running, as Linux sees it: /proc/<pid>/stat exists and its state is not Z (a zombie has exited
 * and waits to be reaped; an orphan's reaper may be a container's PID 1 that never reaps).
 */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const node = (code: string) => spawn(process.execPath, ['-e', code], { stdio: 'ignore' });

describe('stopChild', () => {
  it('sends the signal and resolves once the process has exited', async () => {
    const child = node('setInterval(() => {}, 1000)');
    await stopChild(child, 'SIGTERM');
    expect(isRunning(child)).toBe(false);
    expect(child.signalCode).toBe('SIGTERM');
  });

  it('SIGKILLs a process that ignores the signal once killAfterMs has passed', async () => {
    const child = spawn(
      process.execPath,
      ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await once(child.stdout, 'data'); // its handler is installed (a fixed sleep was not enough on a busy machine)
    await stopChild(child, 'SIGTERM', 200);
    expect(child.signalCode).toBe('SIGKILL');
  });

  it('with group, stops the whole process group: a grandchild the child started goes too', async () => {
    const grandchild =
      "require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })";
    const child = spawn(
      process.execPath,
      ['-e', `const g = ${grandchild}; console.log(g.pid); setInterval(() => {}, 1000)`],
      {
        detached: true,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const grandchildPid = Number(line.toString().trim());
    expect(alive(grandchildPid)).toBe(true);
    await stopChild(child, 'SIGTERM', 5000, { group: true });
    expect(isRunning(child)).toBe(false);
    // The grandchild is not ours to reap (init adopts it): wait until the kernel has removed it.
    await pWaitFor(() => !alive(grandchildPid), { interval: 20, timeout: 10_000 });
  });

  it('resolves at once for a process that has already exited, and for none', async () => {
    const child = node('');
    await new Promise((resolve) => child.once('exit', resolve));
    await stopChild(child, 'SIGTERM', 10_000);
    await stopChild(undefined);
    expect(isRunning(child)).toBe(false);
  });
});
