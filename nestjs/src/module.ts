import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import type { SocketIoPublisher } from '@syncbell/socketio';
import { SyncbellSetupError } from './errors.js';
import { SyncbellGateway } from './gateway.js';
import type { SyncbellApiGwOptions } from './apigw-options.js';
import type { SyncbellModuleAsyncOptions, SyncbellModuleOptions, SyncbellVariant } from './options.js';
import { SyncbellPublisher } from './publisher.js';
import type { SyncbellSocketIoOptions } from './socketio-options.js';
import { SocketIoRuntime } from './socketio-runtime.js';
import { SYNCBELL_OPTIONS, SYNCBELL_SOCKETIO } from './tokens.js';

const VARIANTS: readonly SyncbellVariant[] = ['socketio', 'apigw'];

/**
 * syncbell in a Nest app. Global: inject `SyncbellPublisher` anywhere.
 *
 * Hand-written `forRoot`/`forRootAsync` rather than Nest's `ConfigurableModuleBuilder`: the
 * variant decides which providers exist (a gateway and Redis connections for socket.io, none for
 * API Gateway), which the builder's one fixed provider list cannot express.
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with static factories
export class SyncbellModule {
  static forRoot(options: SyncbellModuleOptions): DynamicModule {
    const { variant, ...rest } = options;
    return SyncbellModule.forRootAsync({
      variant: variant ?? 'socketio',
      useFactory: () => rest as SyncbellSocketIoOptions & SyncbellApiGwOptions,
    });
  }

  static forRootAsync<V extends SyncbellVariant = 'socketio'>(
    options: SyncbellModuleAsyncOptions<V>,
  ): DynamicModule {
    const variant = options.variant ?? 'socketio';
    if (!VARIANTS.includes(variant)) {
      throw new SyncbellSetupError(
        `SyncbellModule variant must be one of ${VARIANTS.join(', ')} (got ${JSON.stringify(variant)})`,
      );
    }
    const optionsProvider: Provider = {
      provide: SYNCBELL_OPTIONS,
      useFactory: options.useFactory,
      inject: options.inject ?? [],
    };
    const providers: Provider[] =
      variant === 'apigw'
        ? [
            optionsProvider,
            {
              provide: SyncbellPublisher,
              useFactory: (resolved: SyncbellApiGwOptions) => apiGwPublisher(resolved),
              inject: [SYNCBELL_OPTIONS],
            },
          ]
        : [
            optionsProvider,
            {
              provide: SYNCBELL_SOCKETIO,
              useFactory: (resolved: SyncbellSocketIoOptions) => SocketIoRuntime.create(resolved),
              inject: [SYNCBELL_OPTIONS],
            },
            {
              provide: SyncbellPublisher,
              useFactory: (runtime: SocketIoRuntime): SocketIoPublisher => runtime.publisher,
              inject: [SYNCBELL_SOCKETIO],
            },
            SyncbellGateway,
          ];
    return {
      module: SyncbellModule,
      global: true,
      imports: options.imports ?? [],
      providers,
      exports: variant === 'apigw' ? [SyncbellPublisher] : [SyncbellPublisher, SYNCBELL_SOCKETIO],
    };
  }
}

/** The API Gateway publisher, closed with the app (Nest calls the hook on the factory's value). */
async function apiGwPublisher(options: SyncbellApiGwOptions) {
  if (!options?.apigw?.managementEndpoint) {
    throw new SyncbellSetupError(
      "SyncbellModule's apigw variant needs `apigw.managementEndpoint`, the stage's @connections endpoint (the stack's ManagementEndpoint output)",
    );
  }
  let module: typeof import('@syncbell/apigw/publisher');
  try {
    module = await import('@syncbell/apigw/publisher');
  } catch (error) {
    throw new SyncbellSetupError(
      "SyncbellModule's apigw variant needs @syncbell/apigw: npm install @syncbell/apigw",
      { cause: error },
    );
  }
  const publisher = module.createApiGwPublisher(options.apigw);
  return Object.assign(publisher, { onApplicationShutdown: () => publisher.close() });
}
