import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isRunning, stopChild } from '../../dev-tools/child-process.js';

const node = (code: string) => spawn(process.execPath, ['-e', code], { stdio: 'ignore' });

describe('stopChild', () => {
  it('sends the signal and resolves once the process has exited', async () => {
    const child = node('setInterval(() => {}, 1000)');
    await stopChild(child, 'SIGTERM');
    expect(isRunning(child)).toBe(false);
    expect(child.signalCode).toBe('SIGTERM');
  });

  it('SIGKILLs a process that ignores the signal once killAfterMs has passed', async () => {
    const child = node("process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)");
    await new Promise((resolve) => setTimeout(resolve, 300)); // its handler is installed
    await stopChild(child, 'SIGTERM', 200);
    expect(child.signalCode).toBe('SIGKILL');
  });

  it('resolves at once for a process that has already exited, and for none', async () => {
    const child = node('');
    await new Promise((resolve) => child.once('exit', resolve));
    await stopChild(child, 'SIGTERM', 10_000);
    await stopChild(undefined);
    expect(isRunning(child)).toBe(false);
  });
});
