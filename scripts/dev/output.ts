import { prettyFactory } from 'pino-pretty';

const NAME_WIDTH = 8;
// hasColors() honours NO_COLOR and FORCE_COLOR and is false when output goes to a pipe or file.
const useColor = process.stdout.hasColors?.() ?? false;
const NAME_COLORS: Record<string, number> = { dev: 33, temporal: 35, worker: 36, api: 32 };

function paint(code: number | undefined, text: string): string {
  return useColor && code !== undefined ? `\x1b[${code}m${text}\x1b[39m` : text;
}

/** Prints one line of one process's output as `name     │ line`. */
export function printLine(name: string, line: string): void {
  process.stdout.write(`${paint(NAME_COLORS[name], name.padEnd(NAME_WIDTH))} │ ${readable(line)}\n`);
}

// Our processes log one JSON object per line (pino); a person at a terminal reads `12:00:01 INFO: api listening`
// faster. pino-pretty does it here, in the dev runner only: the processes themselves always write JSON.
const pretty = prettyFactory({
  colorize: useColor,
  messageKey: 'message',
  translateTime: 'SYS:HH:MM:ss',
  ignore: 'pid,hostname,component',
  singleLine: true,
});

/** A JSON log line made readable; any other line as it is. */
export function readable(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    JSON.parse(line);
  } catch {
    return line;
  }
  return pretty(line).trimEnd();
}
