import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, freePorts } from '../../dev-tools/index.js';

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
