import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChaosApigw,
  OFFLINE_MEMORY_PROCESS,
  offlineMemory,
  startChaosApigw,
} from '../../../chaos/apigw/harness.js';
import { openRawSocket } from '../../apigw-websocket/support/raw-socket.js';

const PINGS = 20;

// The chaos runs bound serverless-offline's growth by its live heap after a full GC (harness.ts,
// offlineMemory): the probe must reach that process, and the reading must come from it.
describe("the chaos harness's serverless-offline memory reading", () => {
  let apigw: ChaosApigw;
  beforeAll(async () => {
    apigw = await startChaosApigw();
  }, 180_000);
  afterAll(() => apigw?.stop());

  it("gives serverless-offline the heap probe's NODE_OPTIONS through the stack's offlineEnv", async () => {
    const plain = await apigw.offlineRss();
    expect(plain).toBeDefined();
    const environ = (await readFile(`/proc/${plain?.pid}/environ`, 'utf8')).split('\0');
    const nodeOptions = environ.find((entry) => entry.startsWith('NODE_OPTIONS='));

    expect(nodeOptions).toContain('--expose-gc');
    expect(nodeOptions).toContain('probe.mjs');
  });

  it("reads serverless-offline's own RSS and V8 heap after invocations, and reports its live heap as its memory", async () => {
    const socket = await openRawSocket(
      `${apigw.stack.wsUrl}?token=${encodeURIComponent(await apigw.token('probe-user'))}`,
    );
    try {
      // Invocations in flight at once: serverless-offline makes a handler instance for each.
      for (let i = 0; i < PINGS; i++) socket.send(JSON.stringify({ action: 'ping', requestId: `p${i}` }));
      await socket.waitForFrame(
        () => socket.frames.filter((frame) => frame.type === 'pong').length === PINGS,
        30_000,
      );
    } finally {
      socket.close();
    }

    const plain = await apigw.offlineRss();
    const retained = await apigw.offlineRetained();
    const memory = await offlineMemory(apigw);

    expect(retained.pid).toBe(plain?.pid);
    // Bundled handlers loaded and warm: tens of MiB of heap, all inside the process's RSS.
    expect(retained.heapUsedBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(retained.heapUsedBytes).toBeLessThan(retained.rssBytes);
    expect(retained.externalBytes).toBeGreaterThan(0);
    // The bound reads what stays live (heap in use and the Buffers it holds), not the RSS around it.
    // A second reading (another full GC): the same live heap give or take a few MiB, well under the RSS.
    const reading = memory.get(OFFLINE_MEMORY_PROCESS);
    expect(reading?.pid).toBe(plain?.pid);
    const live = retained.heapUsedBytes + retained.externalBytes;
    expect(Math.abs((reading?.bytes ?? 0) - live)).toBeLessThan(5 * 1024 * 1024);
    expect(reading?.bytes).toBeLessThan(retained.rssBytes);
  }, 60_000);
});
