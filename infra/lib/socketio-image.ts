import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { InfraConfigError } from './config.js';
import { REPO_ROOT } from './paths.js';

export interface SocketIoImageProps {
  cpuArchitecture: 'arm64' | 'x86_64';
}

/** Path of the Dockerfile, relative to the build context (the repository root). */
export const SOCKETIO_DOCKERFILE = 'ecs-socketio/Dockerfile';

/**
 * The `ecs-socketio` image, built by `cdk deploy` from the repository root: the bundle needs
 * `shared/` and the lockfile, which live outside `ecs-socketio/`. The root `.dockerignore` keeps
 * the context (and the copy CDK stages into cdk.out) down to those sources.
 * One asset serves the server and the worker, which differ only in their command.
 */
export class SocketIoImage extends Construct {
  readonly asset: ecrAssets.DockerImageAsset;
  readonly image: ecs.ContainerImage;

  constructor(scope: Construct, id: string, props: SocketIoImageProps) {
    super(scope, id);
    // The build context is the whole syncbell checkout; an installed @syncbell/cdk has none.
    if (!existsSync(join(REPO_ROOT, SOCKETIO_DOCKERFILE)))
      throw new InfraConfigError(
        `${this.node.path}: syncbell's server image builds only from a syncbell checkout (${SOCKETIO_DOCKERFILE} is not at ${REPO_ROOT}); pass \`image\` (your app with syncbell attached) to SyncbellSocketIoService`,
      );
    this.asset = new ecrAssets.DockerImageAsset(this, 'Asset', {
      directory: REPO_ROOT,
      file: SOCKETIO_DOCKERFILE,
      platform:
        props.cpuArchitecture === 'arm64' ? ecrAssets.Platform.LINUX_ARM64 : ecrAssets.Platform.LINUX_AMD64,
    });
    this.image = ecs.ContainerImage.fromDockerImageAsset(this.asset);
  }
}

/** Commands of the two containers, matching the bundle names in ecs-socketio/Dockerfile. */
export const SERVER_COMMAND = ['node', '--enable-source-maps', 'dist/server.mjs'];
export const WORKER_COMMAND = ['node', '--enable-source-maps', 'dist/worker.mjs'];
