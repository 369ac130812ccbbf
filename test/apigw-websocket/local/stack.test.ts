import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../dev-tools/index.js';
import { type ApigwLocal, startApigwLocal } from '../../../apigw-websocket/local/stack.js';
import { resolveJwtSecret, signToken } from '../../../shared/server/auth/index.js';
import { openRawSocket } from '../support/raw-socket.js';
import { withCode } from '../../support/errors.js';
import { ServerErrorCode } from '../../../shared/server/index.js';

/**
 * The emulation itself: serverless-offline must run the handlers as Lambda does, loaded once per
 * function and warm from then on. Run from TypeScript source, serverless-offline 14 fell back to
 * tsx's require() and re-instantiated every module on every invocation (each one a cold start).
 */
// With the development secret, each handler module's runtime warns once when it is built: the
// count of these lines is the count of module instances, seen from outside the process.
const RUNTIME_BUILT = 'JWT_SECRET is not set: using the development secret';
const LOADER_ERROR = /ES module loader is unavailable|re-instantiated/;
const PINGS = 5;

describe('the local API Gateway stack', () => {
  let stack: ApigwLocal;
  const output: string[] = [];
  beforeAll(async () => {
    stack = await startApigwLocal({ jwtSecret: '', log: (line) => output.push(line) });
  });
  afterAll(() => stack?.stop());
  const runtimesBuilt = () => output.filter((line) => line.includes(RUNTIME_BUILT)).length;

  it('prints no module-loader error at start-up', () => {
    expect(output.some((line) => line.includes('Server ready'))).toBe(true);
    expect(output.filter((line) => LOADER_ERROR.test(line))).toEqual([]);
  });

  it('keeps a handler warm: later invocations reuse the module and runtime of the first', async () => {
    const { key } = resolveJwtSecret({ JWT_SECRET: '', NODE_ENV: 'development' });
    const socket = await openRawSocket(
      `${stack.wsUrl}?token=${encodeURIComponent(await signToken({ userId: 'warm-user', key }))}`,
    );
    const before = runtimesBuilt();
    try {
      for (let i = 0; i < PINGS; i++) {
        socket.send(JSON.stringify({ action: 'ping', requestId: `ping-${i}` }));
        await socket.waitForFrame((frame) => frame.type === 'pong' && frame.requestId === `ping-${i}`);
      }
    } finally {
      socket.close();
    }
    // The start-up warm-up already ran $connect and $default: no module is built again.
    expect(runtimesBuilt() - before).toBe(0);
  });

  it('records each function first invocation as its cold start, apart from the warm ones', () => {
    const coldStarts = stack.coldStartsMs();
    expect(Object.keys(coldStarts)).toEqual(
      expect.arrayContaining(['authorizer', 'connect', 'default', 'jobs', 'publish']),
    );
    for (const ms of Object.values(coldStarts)) expect(ms).toBeGreaterThan(0);
    // Later invocations do not overwrite it: the pings above were not first invocations.
    expect(stack.coldStartsMs()).toEqual(coldStarts);
  });
});

describe('startApigwLocal refuses limits API Gateway does not have', () => {
  it("refuses an idle timeout above API Gateway's 10 minutes before starting anything", async () => {
    await expect(startApigwLocal({ idleTimeoutSeconds: 900 })).rejects.toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'idleTimeoutSeconds 900', '600 s'),
    );
  });

  it("refuses a connection cap above API Gateway's 2 hours", async () => {
    await expect(startApigwLocal({ hardTimeoutSeconds: 7201 })).rejects.toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'hardTimeoutSeconds 7201'),
    );
  });
});

describe('startApigwLocal when another process holds one of its ports', () => {
  it('starts serverless-offline again once the port is free, instead of failing (EADDRINUSE, seen in CI)', async () => {
    const port = await freePort();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    const output: string[] = [];
    let stack: ApigwLocal | undefined;
    try {
      stack = await startApigwLocal({
        lambdaPort: port,
        log: (line) => {
          output.push(line);
          // The first start failed on the held port: let it go before the next start.
          if (line.includes('starting again')) squatter.close();
        },
      });
      expect(output.filter((line) => line.includes('starting again'))).toHaveLength(1);
      expect((await fetch(`${stack.httpUrl}/jobs/sync`, { method: 'POST', body: '{}' })).status).toBe(401);
    } finally {
      squatter.close();
      await stack?.stop();
    }
  }, 120_000);
});
