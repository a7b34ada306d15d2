import type { Priority } from '@temporalio/common';
import type { Capacity } from '../../common/config';
import type { Caller } from './caller';

/** A token's caller with its tenant's capacity (AUTH_JWT_TENANT_CAPACITY); API keys carry theirs in their entry. */
export function withTenantCapacity(caller: Caller, byTenant: Readonly<Record<string, Capacity>>): Caller {
  const capacity = caller.tenant === undefined ? undefined : byTenant[caller.tenant];
  return capacity ? { ...caller, capacity } : caller;
}

/**
 * The priority a caller's start carries (README "Tenant fairness"): its tenant as the fairness key, so the task queue
 * dispatches tenants in proportion to their weights instead of first come, first served; its weight (1 unless
 * configured); its priority key for this workflow type, if any. Activities inherit it from the run (Temporal does
 * that on the server). An untenanted caller shares the default (empty) key.
 */
export function priorityOf(caller: Pick<Caller, 'tenant' | 'capacity'>, workflowType: string): Priority | undefined {
  const capacity = caller.capacity ?? {};
  const priorityKey =
    typeof capacity.priorityKey === 'number' ? capacity.priorityKey : capacity.priorityKey?.[workflowType];
  const priority: Priority = {
    ...(caller.tenant !== undefined && { fairnessKey: caller.tenant, fairnessWeight: capacity.fairnessWeight ?? 1 }),
    ...(caller.tenant === undefined &&
      capacity.fairnessWeight !== undefined && { fairnessWeight: capacity.fairnessWeight }),
    ...(priorityKey !== undefined && { priorityKey }),
  };
  return Object.keys(priority).length > 0 ? priority : undefined;
}
