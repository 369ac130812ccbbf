import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleClient } from '../../../cli/bundle-sdk.js';

/**
 * The SDK's browser weight, as an app pays it: a one-line app per transport, bundled with
 * esbuild (browser, minified), gzip-compressed. Budgets from the issue: the API Gateway app
 * within 10 KB; the socket.io app within socket.io-client's own weight plus 6 KB.
 */
const API_GATEWAY_BUDGET_BYTES = 10 * 1024;
const SOCKET_IO_OVERHEAD_BUDGET_BYTES = 6 * 1024;

const apps = {
  apigw: `import { apigwTransport, createClient } from '@syncbell/client/apigw';
createClient({ transport: apigwTransport(), url: 'wss://example.test', token: 't' }).on('notification', console.log);`,
  socketio: `import { createClient, socketIoTransport } from '@syncbell/client/socketio';
createClient({ transport: socketIoTransport(), url: 'https://example.test', token: 't' }).on('notification', console.log);`,
  socketIoClientOnly: `import { io } from 'socket.io-client';
io('https://example.test').on('notification', console.log);`,
};

const dir = await mkdtemp(join(tmpdir(), 'syncbell-size-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function bundleApp(name: keyof typeof apps) {
  const bundle = await bundleClient({ app: apps[name], outfile: join(dir, `${name}.js`) });
  console.log(`${name} app: ${bundle.bytes} bytes minified, ${bundle.gzipBytes} bytes gzip`);
  return bundle;
}

describe('the SDK in a browser app', () => {
  it('costs an API Gateway app at most 10 KB gzip, without socket.io-client or zod', async () => {
    const { gzipBytes, inputs } = await bundleApp('apigw');
    expect(inputs.filter((path) => /node_modules\/(socket\.io-client|engine\.io|zod)\//.test(path))).toEqual(
      [],
    );
    expect(gzipBytes).toBeLessThanOrEqual(API_GATEWAY_BUDGET_BYTES);
  });

  it('costs a socket.io app at most 6 KB gzip more than socket.io-client alone, without zod', async () => {
    const baseline = await bundleApp('socketIoClientOnly');
    const { gzipBytes, inputs } = await bundleApp('socketio');
    console.log(`socket.io SDK overhead: ${gzipBytes - baseline.gzipBytes} bytes gzip`);
    expect(inputs.filter((path) => /node_modules\/zod\//.test(path))).toEqual([]);
    expect(gzipBytes).toBeLessThanOrEqual(baseline.gzipBytes + SOCKET_IO_OVERHEAD_BUDGET_BYTES);
  });
});
