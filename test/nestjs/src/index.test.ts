import { NestErrorCode, SyncbellModule } from '@syncbell/nestjs';
import { describe, expect, it } from 'vitest';
import { withCode } from '../../support/errors.js';
import { packagesLoadedBy } from '../../support/loaded-modules.js';

/** What only the socket.io variant needs (optional peers an API-Gateway-only app does not install). */
const SOCKETIO_ONLY = [
  '@syncbell/socketio',
  'socket.io',
  '@socket.io/redis-adapter',
  '@nestjs/websockets',
  '@nestjs/platform-socket.io',
] as const;

describe('@syncbell/nestjs', () => {
  it('loads no socket.io package, from the main entry or the API Gateway one; the socket.io entry does', () => {
    expect(packagesLoadedBy('@syncbell/nestjs', SOCKETIO_ONLY)).toEqual([]);
    expect(packagesLoadedBy('@syncbell/nestjs/apigw', SOCKETIO_ONLY)).toEqual([]);
    // The check sees them where they are loaded: the gateway's decorators and the adapter's base
    // class. @syncbell/socketio (and its Redis adapter) waits for the module to make its runtime.
    expect(packagesLoadedBy('@syncbell/nestjs/socketio', SOCKETIO_ONLY)).toEqual([
      'socket.io',
      '@nestjs/websockets',
      '@nestjs/platform-socket.io',
    ]);
  }, 180_000);

  // This file never imports @syncbell/nestjs/socketio (vitest runs each file in its own module graph).
  it('refuses the socket.io variant while its entry is not loaded, naming the import to use', () => {
    const forRoot = () => SyncbellModule.forRoot({ redis: {} } as never);

    expect(forRoot).toThrow(
      withCode(NestErrorCode.InvalidSetup, "import SyncbellModule from '@syncbell/nestjs/socketio'"),
    );
    expect(() => SyncbellModule.forRootAsync({ useFactory: () => ({}) as never })).toThrow(
      withCode(NestErrorCode.InvalidSetup, '@syncbell/nestjs/socketio'),
    );
  });

  it('sets up the API Gateway variant from the main entry', () => {
    const module = SyncbellModule.forRoot({
      variant: 'apigw',
      apigw: { managementEndpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com/live' },
    } as never);

    expect(module).toMatchObject({ module: SyncbellModule, global: true });
  });
});
