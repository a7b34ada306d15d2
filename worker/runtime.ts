import { makeTelemetryFilterString, Runtime, type Logger as SdkLogger, type LogLevel } from '@temporalio/worker';
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';

type PinoLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
const PINO_LEVEL: Record<LogLevel, PinoLevel> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};
const CORE_LEVEL: Record<Config['LOG_LEVEL'], LogLevel> = {
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  silent: 'ERROR',
};

/**
 * The SDK's logger interface over the process's pino logger: the worker's, the workflows' (`log` from
 * @temporalio/workflow) and the activities' lines, and Core's forwarded ones, become the same JSON lines, each with
 * its metadata (workflowId, activityType, requestId, …) as fields.
 */
export function sdkLoggerOver(logger: Logger): SdkLogger {
  const log = (level: LogLevel, message: string, meta?: Record<string | symbol, unknown>): void => {
    // Symbol keys (the SDK's timestamp) are not JSON; pino drops them.
    logger[PINO_LEVEL[level]](meta ?? {}, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/**
 * Installs the SDK's runtime once per process: its logger (Core's logs forwarded to it, filtered at LOG_LEVEL) and,
 * when `metricsBindAddress` is given, the SDK's own Prometheus exporter there.
 */
export function installWorkerRuntime(
  config: Pick<Config, 'LOG_LEVEL'>,
  logger: Logger,
  metricsBindAddress?: string,
): void {
  const level = CORE_LEVEL[config.LOG_LEVEL];
  Runtime.install({
    logger: sdkLoggerOver(logger),
    telemetryOptions: {
      // Core at LOG_LEVEL; the libraries under it (hyper, h2, tonic) log every frame at debug: warnings only.
      logging: {
        filter: makeTelemetryFilterString({ core: level, other: level === 'ERROR' ? 'ERROR' : 'WARN' }),
        forward: {},
      },
      metrics: metricsBindAddress
        ? {
            prometheus: {
              bindAddress: metricsBindAddress,
              // Prometheus conventions: counters end in _total, durations are seconds named _seconds.
              countersTotalSuffix: true,
              unitSuffix: true,
              useSecondsForDurations: true,
            },
          }
        : undefined,
    },
  });
}
