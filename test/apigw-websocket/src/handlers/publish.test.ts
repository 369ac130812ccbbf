import { describe, expect, it } from 'vitest';
import { createPublishHandler } from '../../../../apigw-websocket/src/handlers/publish.js';
import type { PublishInput, Publisher } from '../../../../shared/server/index.js';
import { ErrorCode } from '../../../../shared/contract/index.js';
import { noopTelemetry } from '../../support/fixtures.js';
import { withCode } from '../../../support/errors.js';

// Who may publish, decided from the event alone: the publisher is a stand-in (the route's
// delivery runs against the real local stack in test/apigw-websocket/publish-route.test.ts).
function publishHandler(options: { apiKeys?: string[]; trustIamContext: boolean }) {
  const published: PublishInput[] = [];
  const publisher: Publisher = {
    async publish(input) {
      published.push(input);
      return { id: '01J00000000000000000000000', duplicate: false };
    },
    async close() {},
  };
  const handler = createPublishHandler(() => ({ publisher, telemetry: noopTelemetry, ...options }));
  return { handler, published };
}

const body = JSON.stringify({ userId: 'alice', type: 'sync.complete', jobId: 'j1' });
const iamContext = {
  authorizer: { iam: { userArn: 'arn:aws:iam::123456789012:role/backend', accountId: '123456789012' } },
};

describe('POST /v1/publish: the server credential', () => {
  it('accepts a request API Gateway authenticated with IAM, with no key, on AWS', async () => {
    const { handler, published } = publishHandler({ trustIamContext: true });
    const result = await handler({ headers: {}, body, requestContext: iamContext });
    expect(result.statusCode).toBe(200);
    expect(published).toEqual([JSON.parse(body)]);
  });

  it('does not take an IAM context for proof where nothing verified it (the local stack)', async () => {
    const { handler, published } = publishHandler({ trustIamContext: false, apiKeys: ['k'.repeat(32)] });
    const result = await handler({ headers: {}, body, requestContext: iamContext });
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body ?? '')).toMatchObject({ code: ErrorCode.InvalidToken });
    expect(published).toEqual([]);
  });

  it('refuses everything, saying why, when neither IAM nor a key can vouch for a caller', async () => {
    const { handler } = publishHandler({ trustIamContext: false });
    const result = await handler({ headers: { 'x-api-key': '' }, body });
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body ?? '')).toEqual(withCode(ErrorCode.InvalidToken, 'PUBLISH_API_KEYS'));
  });

  it('reads the key header whatever its case', async () => {
    const { handler } = publishHandler({ trustIamContext: false, apiKeys: ['k'.repeat(32)] });
    expect((await handler({ headers: { 'X-Api-Key': 'k'.repeat(32) }, body })).statusCode).toBe(200);
  });
});
