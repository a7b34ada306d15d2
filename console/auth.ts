import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../api/router';
import type { Scope } from '../api/auth/scopes';
import { trpc, failureOf } from './api';

/** A key lacking a scope sees the matching controls as unavailable. */
export type { Scope } from '../api/auth/scopes';

/** The answer of `auth.me` (REST GET /api/me): typed from the router, like every other call. */
export type Me = inferRouterOutputs<AppRouter>['auth']['me'];

/** Who is using the console: signed in (or auth off) with a caller, or signed out while auth is on. */
export type Session = { state: 'signed-in'; me: Me } | { state: 'signed-out'; refused: string | null };

/** Asks the API who the current key (or no key) is; with auth off every caller is anonymous with every scope. */
export async function loadSession(): Promise<Session> {
  try {
    return { state: 'signed-in', me: await trpc.auth.me.query() };
  } catch (error) {
    const failure = failureOf(error);
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
