import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ApiError } from '../errors/mapping';

const keySchema = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'use 1 to 255 printable ASCII characters, no spaces');

/** Documents the header in the OpenAPI document. */
export const idempotencyKeyHeader = z.object({
  'idempotency-key': keySchema
    .optional()
    .describe('Makes retries safe: the same key and body answer with the same run'),
});

/** The validated Idempotency-Key header, or undefined when absent; a malformed key is a 400 naming the header. */
export function validIdempotencyKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const parsed = keySchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ApiError({
    code: 'BAD_REQUEST',
    message: `Invalid Idempotency-Key header: ${parsed.error.issues[0]?.message ?? 'malformed'}`,
    details: { header: 'Idempotency-Key' },
  });
}

/** An update ID from the Idempotency-Key header: Temporal runs an update ID once per workflow. */
export function updateIdFromKey(raw: string | undefined): string | undefined {
  return validIdempotencyKey(raw);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with sorted keys, so that the same body always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What a keyed start is compared by: the type and the whole request body. */
export function requestFingerprint(workflowType: string, body: unknown): string {
  return sha256(canonicalJson({ workflowType, body }));
}

/** The workflow ID a keyed start gets when the caller names none: one ID per key, so duplicates meet at Temporal. */
export function workflowIdFromKey(workflowType: string, key: string): string {
  return `${workflowType}-key-${sha256(key).slice(0, 32)}`;
}

/** The memo field the fingerprint is stored in, on the workflow itself: no other store to keep consistent. */
export const FINGERPRINT_MEMO_KEY = 'idempotencyFingerprint';
