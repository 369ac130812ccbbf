import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, freePorts, retryOnPortClash } from '../../dev-tools/index.js';

describe('freePorts', () => {
  it('gives distinct ports, none of those to avoid, each one bindable', async () => {
    const avoid = [await freePort()];
    const ports = await freePorts(20, avoid);
    expect(new Set(ports).size).toBe(20);
    expect(ports).not.toContain(avoid[0]);
    for (const port of ports) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('gives a port other than the one to avoid', async () => {
    const first = await freePort();
    expect(await freePort([first])).not.toBe(first);
  });
});

describe('retryOnPortClash', () => {
  const clash = (port: number) => new Error(`listen EADDRINUSE: address already in use 127.0.0.1:${port}`);

  it('starts again after a clash, telling the taken port and the attempt, and returns what the start returns', async () => {
    const clashes: [number, number][] = [];
    let starts = 0;
    const result = await retryOnPortClash(
      async () => {
        if (++starts < 3) throw clash(4000 + starts);
        return 'started';
      },
      (taken, attempt) => {
        clashes.push([taken, attempt]);
      },
    );
    expect(result).toBe('started');
    expect(clashes).toEqual([
      [4001, 1],
      [4002, 2],
    ]);
  });

  it('throws any other failure at once, and a clash on the last attempt as it came', async () => {
    let starts = 0;
    await expect(
      retryOnPortClash(
        async () => {
          starts++;
          throw new Error('bad config');
        },
        () => undefined,
      ),
    ).rejects.toThrow('bad config');
    expect(starts).toBe(1);
    await expect(
      retryOnPortClash(
        async () => Promise.reject(clash(4100)),
        () => undefined,
        2,
      ),
    ).rejects.toThrow('EADDRINUSE');
  });
});
