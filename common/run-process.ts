import { exitOnConfigError, loadConfig, type Config } from './config';
import { createLogger, type Logger } from './logger';

/**
 * The entry point of a long-running process (the API, the worker): parses config once, creates the process's one
 * logger, runs `main`, and turns a bad configuration or a failed start into readable lines and exit code 1 instead of
 * a stack trace.
 */
export function runProcess(component: string, main: (config: Config, logger: Logger) => Promise<void>): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    exitOnConfigError(error);
  }
  const logger = createLogger(component, config.LOG_LEVEL);
  main(config, logger).catch((error: unknown) => {
    logger.error({ error: error instanceof Error ? error.message : String(error) }, `${component} failed`);
    process.exit(1);
  });
}
