import { AsyncLocalStorage } from 'node:async_hooks';
import type { AnyRouter } from '@trpc/server';

// trpc-to-openapi turns on zod's coercion by writing `coerce = true` into the procedure's own input schemas, on every
// REST call, bodies included; those are the schemas tRPC parses with too, so one REST call would make "false" a
// true boolean, null a 0 and [7] a 7 on both transports from then on. Here every coercible schema's flag answers
// from the request instead: true only while a REST query string is parsed (its values arrive as text), false
// otherwise, and the adapter's writes change nothing.

const parsingQueryString = new AsyncLocalStorage<boolean>();
const COERCIBLE = new Set(['number', 'boolean', 'bigint', 'date']);
const pinned = new WeakSet<object>();

interface SchemaDef {
  type?: string;
  [key: string]: unknown;
}

/** The zod schemas directly inside a schema (object fields, wrapped types, elements, options). */
function childrenOf(def: SchemaDef): unknown[] {
  const children: unknown[] = [];
  const shape = def.shape as Record<string, unknown> | undefined;
  if (shape && typeof shape === 'object') children.push(...Object.values(shape));
  for (const key of ['innerType', 'in', 'out', 'element', 'left', 'right', 'valueType', 'keyType', 'catchall', 'rest'])
    if (def[key] !== undefined) children.push(def[key]);
  for (const key of ['options', 'items']) if (Array.isArray(def[key])) children.push(...(def[key] as unknown[]));
  return children;
}

function pin(schema: unknown): void {
  const def = (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;
  if (!def || pinned.has(def)) return;
  pinned.add(def);
  if (COERCIBLE.has(def.type ?? '')) {
    // A schema made with z.coerce keeps coercing; any other coerces for REST query strings only.
    const own = def.coerce === true;
    Object.defineProperty(def, 'coerce', {
      configurable: true,
      enumerable: true,
      get: () => own || parsingQueryString.getStore() === true,
      set: () => undefined,
    });
  }
  for (const child of childrenOf(def)) pin(child);
}

/** Pins the coercion of every procedure input schema in the router (see above); call once per router. */
export function pinInputCoercion(router: AnyRouter): void {
  const procedures = router._def.procedures as Record<string, { _def: { inputs?: unknown[] } }>;
  for (const procedure of Object.values(procedures)) for (const input of procedure._def.inputs ?? []) pin(input);
}

/** Runs a REST request: a GET's input comes from its query string and path, and is coerced; a body never is. */
export function withRestCoercion<T>(method: string | undefined, handle: () => T): T {
  return parsingQueryString.run(method === 'GET', handle);
}
