const NAME_WIDTH = 8;
// hasColors() honours NO_COLOR and FORCE_COLOR and is false when output goes to a pipe or file.
const useColor = process.stdout.hasColors?.() ?? false;
const NAME_COLORS: Record<string, number> = { dev: 33, temporal: 35, worker: 36, api: 32 };
const LEVEL_COLORS: Record<string, number> = { debug: 90, warn: 33, error: 31 };

function paint(code: number | undefined, text: string): string {
  return useColor && code !== undefined ? `\x1b[${code}m${text}\x1b[39m` : text;
}

/** Prints one line of one process's output as `name     │ line`. */
export function printLine(name: string, line: string): void {
  process.stdout.write(`${paint(NAME_COLORS[name], name.padEnd(NAME_WIDTH))} │ ${readable(line)}\n`);
}

/** Our processes log one JSON object per line; a person reads `12:00:01 info  api listening url=…` faster. */
export function readable(line: string): string {
  if (!line.startsWith('{')) return line;
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null || !('message' in entry)) return line;
  const { time, level, component: _component, message, ...fields } = entry as Record<string, unknown>;
  const clock = typeof time === 'string' ? time.slice(11, 19) : '';
  const levelName = String(level ?? '').padEnd(5);
  const details = Object.entries(fields).map(([key, value]) => `${key}=${fieldText(value)}`);
  return [clock, paint(LEVEL_COLORS[String(level)], levelName), String(message), ...details].join(' ').trim();
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}
