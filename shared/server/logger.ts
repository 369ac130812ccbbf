import { debuglog } from 'node:util';

/** A log method: structured fields first, then the message (pino's order). */
export type LogMethod = (fields: object, message: string) => void;

/**
 * What syncbell's library code logs with. It never creates a logger of its own: pass yours (a pino
 * logger fits as it is; so does anything with these four methods taking `(fields, message)`).
 * The ECS container (`@syncbell/socketio/container`) passes pino; the Lambda handlers log with
 * Powertools' Logger.
 */
export interface SyncbellLogger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
}

/**
 * The logger syncbell uses when given none: silent unless `NODE_DEBUG` names `syncbell` (Node's own
 * `util.debuglog`, as `debug` is for socket.io: `NODE_DEBUG=syncbell node app.js`), then one line
 * per call on stderr with its level, message and fields.
 */
export function defaultLogger(section = 'syncbell'): SyncbellLogger {
  const log = debuglog(section);
  const at =
    (level: string): LogMethod =>
    (fields, message) => {
      if (log.enabled) log('%s %s %j', level, message, fields);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
