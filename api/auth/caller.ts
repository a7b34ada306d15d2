import type { Capacity } from '../../common/config';
import { z } from 'zod';
import { SCOPES, type Scope } from './scopes';

/** Who is calling, resolved once per request from its credentials (or anonymous when auth is off). */
export interface Caller {
  kind: CallerView['kind'];
  /** The key's configured name, or the token's subject; what logs and rate limits key on. */
  name: string;
  scopes: readonly Scope[];
  /** When set, the caller only sees and touches this tenant's workflows. */
  tenant?: string;
  /** When set, the only workflow types the caller may touch. */
  workflowTypes?: readonly string[];
  /** Its share of the task queue and cap on open runs (README "Tenant fairness"); unset means Temporal's defaults. */
  capacity?: Capacity;
}

/** The caller when authentication is off (development): every scope, no tenant. */
export const ANONYMOUS_CALLER: Caller = { kind: 'anonymous', name: 'anonymous', scopes: SCOPES };

/** What `auth.me` (GET /api/me) answers about a caller. */
export const callerViewSchema = z.object({
  kind: z.enum(['api-key', 'jwt', 'anonymous']),
  name: z.string().describe("The key's configured name or the token's subject"),
  scopes: z.array(z.enum(SCOPES)),
  tenant: z.string().nullable(),
  workflowTypes: z.array(z.string()).nullable().describe('null: every type'),
});
export type CallerView = z.infer<typeof callerViewSchema>;

export function callerView(caller: Caller): CallerView {
  return {
    kind: caller.kind,
    name: caller.name,
    scopes: [...caller.scopes],
    tenant: caller.tenant ?? null,
    workflowTypes: caller.workflowTypes ? [...caller.workflowTypes] : null,
  };
}
