import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { acknowledge } from './nag.js';
import { Construct } from 'constructs';
import { dataRemovalPolicy } from './removal.js';

export interface JwtSecretProps {
  /**
   * Name of an existing secret to use instead of generating one.
   * @default undefined (generate)
   */
  existingSecretName?: string;
  /** @default true */
  retain?: boolean;
}

/**
 * The HS256 signing secret the servers verify tokens with (`JWT_SECRET`). Generated secrets are
 * 64 alphanumeric characters: above the 32 bytes `@syncbell/server` demands.
 */
export class JwtSecret extends Construct {
  readonly secret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: JwtSecretProps = {}) {
    super(scope, id);
    if (props.existingSecretName !== undefined) {
      this.secret = secretsmanager.Secret.fromSecretNameV2(this, 'Imported', props.existingSecretName);
      return;
    }
    const generated = new secretsmanager.Secret(this, 'Resource', {
      description: 'syncbell HS256 JWT signing secret (JWT_SECRET)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: dataRemovalPolicy(props.retain !== false),
    });
    acknowledge(generated, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'A rotated HS256 secret invalidates every live token at once and the servers read it only at start-up; rotate it deliberately with a redeploy (docs/DEPLOY.md), not on a schedule.',
      },
    ]);
    this.secret = generated;
  }
}

/** The caller's secret if given, else the one `jwtSecretName` names, else a new one (under `scope`/`JwtSecret`). */
export function jwtSecretOf(
  scope: Construct,
  given: secretsmanager.ISecret | undefined,
  config: { jwtSecretName?: string | undefined; retainData: boolean },
): secretsmanager.ISecret {
  return (
    given ??
    new JwtSecret(scope, 'JwtSecret', { existingSecretName: config.jwtSecretName, retain: config.retainData })
      .secret
  );
}
