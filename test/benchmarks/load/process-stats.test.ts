import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { descendantPids, sumSamples } from '../../../benchmarks/load/process-stats.js';
import { stopChild } from '../../../dev-tools/index.js';

/**
 * Busy until it has used `ms` of CPU, then exits. CPU time, not wall time: on a machine whose cores
 * other processes share, a wall-clock loop gets a fraction of its span as CPU (a clean-clone CI run
 * under contention saw 0.13 s for a 0.4 s loop), and the figures below are about CPU.
 */
const busy = (ms: number) =>
  `const start = process.cpuUsage(); const used = () => { const u = process.cpuUsage(start); return (u.user + u.system) / 1000; }; while (used() < ${ms}) {}`;

/**
 * The CPU figures are differences of two sums over a contender's processes. A process that exits
 * between them must not make the difference negative (a quick run once failed the results schema
 * with a negative CPU per 1,000 for the emulated API Gateway, whose processes come and go).
 */
describe('sumSamples', () => {
  it("keeps a reaped child's CPU in its parent's figure (cutime/cstime)", async () => {
    // A parent that runs a busy child to its end, then idles until killed.
    const parent = spawn(
      process.execPath,
      [
        '-e',
        `const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(busy(400))}]);` +
          `c.on('exit', () => process.stdout.write('reaped\\n')); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await expect
        .poll(() => descendantPids(parent.pid as number).length, { timeout: 20_000 })
        .toBeGreaterThan(0);
      const tree = [parent.pid as number, ...descendantPids(parent.pid as number)];
      let during = 0;
      await expect
        .poll(() => (during = sumSamples(tree).cpuSeconds), { timeout: 20_000, interval: 20 })
        .toBeGreaterThan(0);
      await once(parent.stdout, 'data');
      const after = sumSamples(tree).cpuSeconds;
      expect(during).toBeGreaterThan(0);
      expect(after).toBeGreaterThanOrEqual(during);
      // Reaped: the child's /proc entry is gone, its CPU is the parent's now.
      expect(descendantPids(parent.pid as number)).toEqual([]);
      expect(after).toBeGreaterThanOrEqual(0.3);
    } finally {
      await stopChild(parent);
    }
  });

  it('counts a process that exited outside the set with its last-read CPU, never less', async () => {
    const child = spawn(process.execPath, ['-e', busy(300)], { stdio: 'ignore' });
    // Read while it runs: once the kernel has counted a tick of its CPU (it lives at least 0.3 s of CPU).
    let during = 0;
    await expect
      .poll(() => (during = sumSamples([child.pid as number]).cpuSeconds), { timeout: 20_000, interval: 20 })
      .toBeGreaterThan(0);
    await once(child, 'exit'); // reaped by this process, which is not in the set
    const after = sumSamples([child.pid as number]).cpuSeconds;
    expect(during).toBeGreaterThan(0);
    expect(after).toBe(during);
  });
});
