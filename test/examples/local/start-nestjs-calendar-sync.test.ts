import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { stopChild } from '../../../dev-tools/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

it('`npm run example:nest` prints the URL, serves the page through the load balancer, and stops on Ctrl-C', async () => {
  // What `npm run example:nest` runs, on a free port (started here without npm, so Ctrl-C reaches it).
  const scripts = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).scripts as Record<string, string>;
  expect(scripts['example:nest']).toBe('tsx examples/local/start-nestjs-calendar-sync.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/local/start-nestjs-calendar-sync.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const found = /open (http:\/\/\S+)\/\?user=alice/.exec(line);
        if (found?.[1]) resolve(found[1]);
      });
      void exited.then((code) => reject(new Error(`exited (${code}) before printing the URL`)));
    });

    const page = await fetch(`${url}/`);
    const ready = (await (await fetch(`${url}/readyz`)).json()) as { instanceId: string };

    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Sync my calendar');
    expect(ready.instanceId).toMatch(/^web-\d$/);
  } finally {
    await stopChild(child, 'SIGINT');
  }
  expect(await exited).toBe(0);
}, 90_000);
