import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getConfig, loadSecrets, resetClients } from '../../../apigw-websocket/src/clients.js';
import { ServerErrorCode } from '../../../shared/server/errors.js';
import { withCode } from '../../support/errors.js';

// Secrets Manager is not under test here: what the handlers do with its answer is.
const secretsManager = mockClient(SecretsManagerClient);
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:syncbell-jwt-AbCdEf';
const SECRET = 'x'.repeat(64);
// Powertools keeps what it fetched for the life of the module (an execution environment), so each
// test names its own secret, as a fresh environment would see it.
let n = 0;
let production: Record<string, string>;
beforeEach(() => {
  n++;
  production = { NODE_ENV: 'production', JWT_SECRET_ARN: `${ARN}${n}` };
});

afterEach(() => {
  secretsManager.reset();
  resetClients();
  delete process.env.JWT_SECRET_ARN;
});

describe('the JWT secret at cold start', () => {
  it('reads the secret named by JWT_SECRET_ARN from Secrets Manager and verifies with it', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: `${ARN}${n}` }).resolves({ SecretString: SECRET });

    await loadSecrets(production);

    expect(new TextDecoder().decode(getConfig().jwtKey)).toBe(SECRET);
    expect(getConfig().isDevSecret).toBe(false);
  });

  it('reads it once per execution environment, however many invocations follow', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: SECRET });

    await loadSecrets(production);
    await loadSecrets(production);
    await loadSecrets(production);

    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('keeps JWT_SECRET for local development and then calls no AWS API', async () => {
    await loadSecrets({ NODE_ENV: 'development', JWT_SECRET: SECRET });

    expect(new TextDecoder().decode(getConfig().jwtKey)).toBe(SECRET);
    expect(secretsManager.calls()).toHaveLength(0);
  });

  it('refuses JWT_SECRET and JWT_SECRET_ARN together rather than pick one silently', async () => {
    await expect(loadSecrets({ ...production, JWT_SECRET: SECRET })).rejects.toThrow(
      withCode(ServerErrorCode.InvalidConfig, 'JWT_SECRET', 'JWT_SECRET_ARN'),
    );
  });

  it('refuses a secret shorter than the 32 bytes HS256 needs, as for JWT_SECRET', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'short' });

    await expect(loadSecrets(production)).rejects.toThrow(withCode(ServerErrorCode.InvalidConfig, '32'));
  });

  it('fails the cold start with the Secrets Manager error when the secret cannot be read', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException: not allowed'));

    await expect(loadSecrets(production)).rejects.toThrow();
  });

  it('refuses to build the config synchronously while the secret is still to be read', () => {
    process.env.JWT_SECRET_ARN = ARN;

    expect(() => getConfig()).toThrow(withCode(ServerErrorCode.InvalidConfig, 'loadSecrets'));
  });
});
