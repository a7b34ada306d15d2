import { pino, stdSerializers, stdTimeFunctions, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { Config } from './config';

/** The process's logger (pino): `logger.info({ field }, 'message')`; `logger.child({ requestId })` binds fields. */
export type Logger = PinoLogger;

/** Where secrets would appear in a log line: request headers (the access log) and anything logging `headers`. */
export const REDACTED_PATHS: readonly string[] = ['authorization', 'x-api-key', 'idempotency-key', 'cookie'].flatMap(
  (header) => [`req.headers["${header}"]`, `headers["${header}"]`],
);

/**
 * Creates the one logger of a process, tagged with its component name: one JSON object per line on stdout, which
 * every log collector reads. `message` and a level name (not pino's `msg` and number) because collectors (Google
 * Cloud, Datadog, Loki's JSON stage) and people grepping read those; `npm run dev` prettifies the same lines.
 */
export function createLogger(
  component: string,
  level: Config['LOG_LEVEL'] = 'info',
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base: { component },
    messageKey: 'message',
    errorKey: 'error',
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    serializers: { error: stdSerializers.err },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that writes nothing, for tests and tools that want none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
