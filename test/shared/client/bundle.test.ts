import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { bundleClient, SDK_ENTRIES } from '../../../cli/bundle-sdk.js';

const dir = await mkdtemp(join(tmpdir(), 'syncbell-sdk-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

it.each(Object.entries(SDK_ENTRIES))(
  'bundles the %s SDK for browsers with no server code and no Node built-ins',
  async (name, entry) => {
    const { outfile, bytes, inputs } = await bundleClient({
      entry,
      outfile: join(dir, `syncbell-${name}.js`),
    });
    expect(bytes).toBeGreaterThan(0);
    // The SDK depends only on the contract: no server, auth (secrets) or AWS code may leak in.
    expect(
      inputs.filter((path) =>
        /ecs-socketio|apigw-websocket\/src|shared\/auth|@aws-sdk|ioredis|jose/.test(path),
      ),
    ).toEqual([]);
    const code = await readFile(outfile, 'utf8');
    expect(code).toMatch(/export\s*\{/);
    expect(code).not.toMatch(/from\s*["']node:/);
  },
);
