import { localPublisherOptions, silentTelemetry } from '../../apigw-websocket/local/publisher.js';
import { createApiGwPublisher } from '@syncbell/apigw/publisher';
import { runPublisherSuite } from '../contract/publisher-suite.js';
import { createApigwHarness } from './support/harness.js';

// The publisher as a backend script would run it: its own SDK clients, pointed at the local
// stack's dynalite and serverless-offline's @connections.
runPublisherSuite('API Gateway', async () => {
  const harness = await createApigwHarness();
  return {
    name: harness.name,
    url: harness.url,
    transport: () => harness.transport(),
    token: (userId) => harness.token(userId),
    publisher: createApiGwPublisher({
      ...localPublisherOptions(harness.stack),
      telemetry: silentTelemetry(),
    }),
    stop: () => harness.stop(),
  };
});
