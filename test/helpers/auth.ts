import { apiKeyDigest, newApiKey } from '../../api/auth/api-keys';
import type { Scope } from '../../api/auth/scopes';
import { appRouter } from '../../api/router';
import type { ApiMeta } from '../../api/trpc';

/** A test API key: the key a client sends and its AUTH_API_KEYS entry. */
export interface TestKey {
  key: string;
  entry: { name: string; sha256: string; scopes: Scope[]; tenant?: string; workflowTypes?: string[] };
}

export function testKey(
  name: string,
  scopes: Scope[],
  extra: { tenant?: string; workflowTypes?: string[] } = {},
): TestKey {
  const key = newApiKey();
  return { key, entry: { name, sha256: apiKeyDigest(key), scopes, ...extra } };
}

/** The AUTH_API_KEYS setting that accepts these keys. */
export function apiKeysEnv(...keys: TestKey[]): { AUTH_API_KEYS: string } {
  return { AUTH_API_KEYS: JSON.stringify(keys.map((key) => key.entry)) };
}

/** One procedure of the router, flat: its dotted path, kind and meta. */
export interface ProcedureInfo {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  meta: ApiMeta | undefined;
}

export function allProcedures(): ProcedureInfo[] {
  return Object.entries(appRouter._def.procedures as Record<string, unknown>).map(([path, procedure]) => {
    const def = (procedure as { _def: { type: ProcedureInfo['type']; meta?: ApiMeta } })._def;
    return { path, type: def.type, meta: def.meta };
  });
}
