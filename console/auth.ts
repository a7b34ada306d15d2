import { trpc, failureOf } from './api';

/** Scopes of the API (issue 8); a key lacking one sees the matching controls as unavailable. */
export const SCOPES = [
  'workflows:start',
  'workflows:read',
  'workflows:signal',
  'workflows:cancel',
  'workflows:terminate',
] as const;
export type Scope = (typeof SCOPES)[number];

/** The answer of `auth.me` (REST GET /api/me), as the security work defines it. */
export interface Me {
  authEnabled: boolean;
  caller: {
    kind: string;
    name: string;
    scopes: readonly string[];
    tenant: string | null;
    workflowTypes: readonly string[] | null;
  };
}

/** Who is using the console: signed in (or auth off) with a caller, or signed out while auth is on. */
export type Session = { state: 'signed-in'; me: Me } | { state: 'signed-out'; refused: string | null };

const AUTH_OFF: Me = {
  authEnabled: false,
  caller: { kind: 'anonymous', name: 'anonymous', scopes: SCOPES, tenant: null, workflowTypes: null },
};

// `auth.me` arrives with the security work; until the router has it, the call answers NOT_FOUND (auth off).
const auth = (trpc as unknown as { auth: { me: { query(): Promise<Me> } } }).auth;

/** Asks the API who the current key (or no key) is. */
export async function loadSession(): Promise<Session> {
  try {
    return { state: 'signed-in', me: await auth.me.query() };
  } catch (error) {
    const failure = failureOf(error);
    if (failure.code === 'NOT_FOUND') return { state: 'signed-in', me: AUTH_OFF };
    if (failure.code === 'UNAUTHORIZED') return { state: 'signed-out', refused: failure.message };
    throw error;
  }
}

/** Whether the caller may do `scope` (on `workflowType`, when the key is limited to some types). */
export function allows(me: Me, scope: Scope, workflowType?: string): boolean {
  if (!me.caller.scopes.includes(scope)) return false;
  const types = me.caller.workflowTypes;
  return workflowType === undefined || types === null || types.includes(workflowType);
}
