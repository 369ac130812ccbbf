/**
 * The adapter's key (its channel prefix), shared by the servers' adapter and the publisher.
 * Notifications and the resync broadcast go through the publisher (socketio-publisher.ts), which
 * writes either adapter's format: @socket.io/redis-emitter only PUBLISHes, so it cannot reach
 * servers on the sharded adapter (SSUBSCRIBE), and on node-redis it dropped a failed PUBLISH's
 * promise, which became an unhandled rejection (fatal in Node).
 */
export const ADAPTER_KEY = 'syncbell';
