import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import type { SyncbellApiGwOptions } from './apigw-options.js';
import { SyncbellSetupError } from './errors.js';
import type { SyncbellModuleAsyncOptions, SyncbellModuleOptions, SyncbellVariant } from './options.js';
import { SyncbellPublisher } from './publisher.js';
import type { SyncbellSocketIoOptions } from './socketio-options.js';
import { SYNCBELL_OPTIONS } from './tokens.js';

const VARIANTS: readonly SyncbellVariant[] = ['socketio', 'apigw'];

/** What a variant adds to the module beside the options provider: its providers and exports. */
export interface SyncbellVariantProviders {
  providers: Provider[];
  exports: NonNullable<DynamicModule['exports']>;
}

/**
 * The variants whose providers are loaded. API Gateway's are here (they import @syncbell/apigw
 * only when the publisher is made); socket.io's are registered by `@syncbell/nestjs/socketio` when
 * it is imported, because its gateway's decorators load @nestjs/websockets, an optional peer an
 * API-Gateway-only app does not install: this entry must load without it.
 */
const registered = new Map<SyncbellVariant, SyncbellVariantProviders>([
  [
    'apigw',
    {
      providers: [
        {
          provide: SyncbellPublisher,
          useFactory: (resolved: SyncbellApiGwOptions) => apiGwPublisher(resolved),
          inject: [SYNCBELL_OPTIONS],
        },
      ],
      exports: [SyncbellPublisher],
    },
  ],
]);

/** Makes a variant's providers available to `forRoot`; its entry calls this when imported. */
export function registerSyncbellVariant(variant: SyncbellVariant, providers: SyncbellVariantProviders): void {
  registered.set(variant, providers);
}

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
    const variantProviders = registered.get(variant);
    if (!variantProviders) {
      throw new SyncbellSetupError(
        `SyncbellModule's ${variant} variant is in its own entry, not loaded here: import SyncbellModule from '@syncbell/nestjs/${variant}'`,
      );
    }
    const optionsProvider: Provider = {
      provide: SYNCBELL_OPTIONS,
      useFactory: options.useFactory,
      inject: options.inject ?? [],
    };
    return {
      module: SyncbellModule,
      global: true,
      imports: options.imports ?? [],
      providers: [optionsProvider, ...variantProviders.providers],
      exports: variantProviders.exports,
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
