import { pino, type Logger } from 'pino';

/**
 * JSON logs to stdout (CloudWatch via the awslogs driver on ECS). Tokens and notification
 * payloads are never logged: only ids, codes and counts.
 */
export function createLogger(name: string, level: string, containerId: string): Logger {
  return pino({
    name,
    level,
    base: { container: containerId },
    redact: {
      paths: ['token', '*.token', 'authorization', '*.authorization', 'data', '*.data'],
      remove: true,
    },
  });
}
