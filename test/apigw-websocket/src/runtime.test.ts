import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** A Lambda context as the runtime passes it (the fields Powertools' `addContext` reads). */
function lambdaContext(awsRequestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'syncbell-connect',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:syncbell-connect',
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: '/aws/lambda/syncbell-connect',
    logStreamName: '2026/12/06/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The JSON log lines written while `run` runs. */
async function logLines(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('a Lambda handler’s log lines', () => {
  it('carry the invocation’s request id and whether it was a cold start', async () => {
    vi.resetModules();
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    // What Lambda sets for an on-demand execution environment (AWS Lambda docs, "Defined runtime
    // environment variables"); Powertools reports a cold start only under it, never under
    // provisioned concurrency or outside Lambda.
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    vi.stubEnv('JWT_SECRET', 'runtime-test-secret-runtime-test-secret-0123');
    const { handler } = await import('../../../apigw-websocket/src/handlers/connect.js');
    // No token: refused (and logged) before any AWS call.
    const event = { requestContext: { connectionId: 'c-1', routeKey: '$connect' } };

    const first = await logLines(() => handler(event, lambdaContext('request-1')));
    const second = await logLines(() => handler(event, lambdaContext('request-2')));

    const refused = (lines: Record<string, unknown>[]) =>
      lines.find((line) => line.message === 'connection refused');
    expect(refused(first)).toMatchObject({
      function_request_id: 'request-1',
      cold_start: true,
      function_name: 'syncbell-connect',
      connectionId: 'c-1',
    });
    expect(refused(second)).toMatchObject({ function_request_id: 'request-2', cold_start: false });
  });
});
