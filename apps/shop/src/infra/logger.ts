import { pino, type Logger } from 'pino';
import { currentTrace } from '@surge/messaging';
import type { Config } from '../config.ts';
import { serializeErrorForLog } from './log-errors.ts';

/** Log redaction: no secrets or tokens in logs (docs/operations.md); errors: log-errors.ts. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  '*.password',
  '*.refreshToken',
  '*.accessToken',
];

/**
 * The process logger: JSON lines to stdout through an asynchronous destination (sonic-boom: a
 * write never blocks the request that logs it), human-readable through pino-pretty when the dev
 * profile runs on a terminal. Consumers' lines carry the trace of the message they handle.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'profile'>): Logger {
  const options = {
    level: config.logLevel,
    redact: REDACT,
    // Errors without the data of the statement or command that failed (log-errors.ts).
    serializers: { err: serializeErrorForLog },
    mixin: () => {
      const trace = currentTrace();
      return trace ? { traceId: trace.traceId } : {};
    },
  };
  if (config.profile === 'dev' && process.stdout.isTTY) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino(options, pino.destination({ dest: 1, sync: false }));
}
