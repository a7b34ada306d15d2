import type { Config } from './config';

type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** A structured logger: one JSON object per line on stdout, which every log collector reads. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Creates a logger for one process, tagged with its component name. */
export function createLogger(component: string, level: Config['LOG_LEVEL'] = 'info'): Logger {
  const write =
    (at: Level) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (order[at] < order[level]) return;
      process.stdout.write(
        `${JSON.stringify({ time: new Date().toISOString(), level: at, component, message, ...fields })}\n`,
      );
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
