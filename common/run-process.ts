import { exitOnConfigError, loadConfig, type Config } from './config';
import { createLogger } from './logger';

/**
 * The entry point of a long-running process (the API, the worker): parses config once, runs `main`, and turns a bad
 * configuration or a failed start into readable lines and exit code 1 instead of a stack trace.
 */
export function runProcess(component: string, main: (config: Config) => Promise<void>): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    exitOnConfigError(error);
  }
  main(config).catch((error: unknown) => {
    createLogger(component, config.LOG_LEVEL).error(`${component} failed`, {
      error: error instanceof Error ? error.message : String(error),
    });
    process.exit(1);
  });
}
