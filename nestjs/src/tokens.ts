/** The resolved module options (`SyncbellModuleOptions` without `variant`). */
export const SYNCBELL_OPTIONS = Symbol('syncbell:options');
/** The socket.io variant's running parts: Redis connections, the adapter, what attaches syncbell. */
export const SYNCBELL_SOCKETIO = Symbol('syncbell:socketio');
