import type { FieldError } from './api';

/** The part of JSON Schema (draft 2020-12, as zod writes it) that the console's forms understand. */
export interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

const join = (path: string, key: string | number): string => (path === '' ? String(key) : `${path}.${key}`);

function checkString(schema: JsonSchema, value: string, path: string, issues: FieldError[]): void {
  if (schema.minLength !== undefined && value.length < schema.minLength)
    issues.push({ path, message: schema.minLength === 1 ? 'Required' : `At least ${schema.minLength} characters` });
  if (schema.maxLength !== undefined && value.length > schema.maxLength)
    issues.push({ path, message: `At most ${schema.maxLength} characters` });
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
    issues.push({ path, message: `Invalid format (expected ${schema.pattern})` });
}

function checkNumber(schema: JsonSchema, value: unknown, path: string, issues: FieldError[]): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    issues.push({ path, message: 'Must be a number' });
    return;
  }
  if (schema.type === 'integer' && !Number.isInteger(value)) issues.push({ path, message: 'Must be a whole number' });
  if (schema.minimum !== undefined && value < schema.minimum)
    issues.push({ path, message: `At least ${schema.minimum}` });
  if (schema.maximum !== undefined && value > schema.maximum)
    issues.push({ path, message: `At most ${schema.maximum}` });
  if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum)
    issues.push({ path, message: `More than ${schema.exclusiveMinimum}` });
  if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum)
    issues.push({ path, message: `Less than ${schema.exclusiveMaximum}` });
}

function check(schema: JsonSchema, value: unknown, path: string, issues: FieldError[]): void {
  if (schema.enum && !schema.enum.includes(value)) {
    issues.push({ path, message: `One of ${schema.enum.map((option) => JSON.stringify(option)).join(', ')}` });
    return;
  }
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') issues.push({ path, message: 'Must be text' });
      else checkString(schema, value, path, issues);
      return;
    case 'integer':
    case 'number':
      checkNumber(schema, value, path, issues);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') issues.push({ path, message: 'Must be true or false' });
      return;
    case 'array':
      if (!Array.isArray(value)) {
        issues.push({ path, message: 'Must be a list' });
        return;
      }
      if (schema.minItems !== undefined && value.length < schema.minItems)
        issues.push({ path, message: `At least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}` });
      if (schema.maxItems !== undefined && value.length > schema.maxItems)
        issues.push({ path, message: `At most ${schema.maxItems} items` });
      if (schema.items) value.forEach((item, index) => check(schema.items!, item, join(path, index), issues));
      return;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        issues.push({ path, message: 'Must be an object' });
        return;
      }
      const record = value as Record<string, unknown>;
      for (const name of schema.required ?? [])
        if (record[name] === undefined) issues.push({ path: join(path, name), message: 'Required' });
      for (const [name, property] of Object.entries(schema.properties ?? {}))
        if (record[name] !== undefined) check(property, record[name], join(path, name), issues);
      return;
    }
  }
}

/** Checks a form's value against its schema before it is sent; the server's own checks (refinements) follow. */
export function validate(schema: JsonSchema, value: unknown): FieldError[] {
  if (value === undefined) return [{ path: '', message: 'Required' }];
  const issues: FieldError[] = [];
  check(schema, value, '', issues);
  return issues;
}
