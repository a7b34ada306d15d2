/**
 * Checks a cron string as Temporal's schedule spec reads it, so a typo is a 400 naming the field rather than a
 * server error after the request: 5 fields (minute hour day-of-month month day-of-week), 6 (… year) or 7 (second …
 * year), each `*`, a value, a range `a-b`, a step `/n` or a comma list; or one of the `@` shorthands.
 */
const SHORTHANDS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const EVERY = /^@every\s+\d+(ns|us|µs|ms|s|m|h)(\d+(ns|us|µs|ms|s|m|h))*(\s+\d+(ns|us|µs|ms|s|m|h))?$/;

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  namesFrom?: number;
}
const SECOND: Field = { name: 'second', min: 0, max: 59 };
const MINUTE: Field = { name: 'minute', min: 0, max: 59 };
const HOUR: Field = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: Field = { name: 'day of month', min: 1, max: 31 };
const MONTH: Field = { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 };
const DAY_OF_WEEK: Field = { name: 'day of week', min: 0, max: 7, names: DAYS, namesFrom: 0 };
const YEAR: Field = { name: 'year', min: 1970, max: 2999 };

const LAYOUTS: Record<number, Field[]> = {
  5: [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK],
  6: [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR],
  7: [SECOND, MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR],
};

function valueOf(text: string, field: Field): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toUpperCase().slice(0, 3)) ?? -1;
  return index >= 0 && text.length >= 3 ? index + (field.namesFrom ?? 0) : undefined;
}

function itemProblem(item: string, field: Field): string | undefined {
  const [range = '', step, extra] = item.split('/');
  if (extra !== undefined || (step !== undefined && !/^[1-9]\d*$/.test(step)))
    return `"${item}": a step is /<positive number>`;
  if (range === '*' || range === '?') return undefined;
  const [from = '', to, more] = range.split('-');
  if (more !== undefined) return `"${item}" is not a value or a range`;
  for (const part of to === undefined ? [from] : [from, to]) {
    const value = valueOf(part, field);
    if (value === undefined || value < field.min || value > field.max)
      return `"${part}" is out of range (${field.min}-${field.max})`;
  }
  return undefined;
}

/** Why Temporal would refuse this cron string, or undefined when it is valid. */
export function cronProblem(expression: string): string | undefined {
  const text = expression.trim();
  if (/^(CRON_)?TZ=/i.test(text)) return 'give the time zone in spec.timezone, not in the cron string';
  if (text.startsWith('@')) {
    return SHORTHANDS.has(text.toLowerCase()) || EVERY.test(text) ? undefined : `unknown shorthand "${text}"`;
  }
  const parts = text.split(/\s+/);
  const layout = LAYOUTS[parts.length];
  if (!layout) return `has ${parts.length} fields; a cron string has 5, 6 or 7`;
  for (const [index, part] of parts.entries()) {
    const field = layout[index] as Field;
    for (const item of part.split(',')) {
      const problem = itemProblem(item, field);
      if (problem) return `${field.name} field: ${problem}`;
    }
  }
  return undefined;
}
