import { describe, expect, it } from 'vitest';
import { startApigwLocal } from '../../../apigw-websocket/local/stack.js';
import { ConfigError } from '../../../shared/contract/index.js';

describe('startApigwLocal', () => {
  it("refuses an idle timeout above API Gateway's 10 minutes before starting anything", async () => {
    await expect(startApigwLocal({ idleTimeoutSeconds: 900 })).rejects.toThrow(ConfigError);
    await expect(startApigwLocal({ idleTimeoutSeconds: 900 })).rejects.toThrow(
      /idleTimeoutSeconds 900 is above API Gateway's own limit \(600 s, hard\)/,
    );
  });

  it("refuses a connection cap above API Gateway's 2 hours", async () => {
    await expect(startApigwLocal({ hardTimeoutSeconds: 7201 })).rejects.toThrow(/hardTimeoutSeconds 7201/);
  });
});
