import { ScheduleNotFoundError } from '@temporalio/client';
import { TENANT_MEMO_KEY } from '../auth/tenancy';
import type { Caller } from '../auth/caller';

/**
 * Whether the caller may see a schedule: its tenant's (untenanted callers see all) and starting a type it may
 * touch. Another tenant's schedule is a 404 naming the caller's ID (api/errors/mapping.ts), as if it did not exist.
 */
export function assertScheduleVisible(
  caller: Pick<Caller, 'tenant' | 'workflowTypes'>,
  scheduleId: string,
  schedule: { workflowType: string; memo?: Record<string, unknown> | undefined },
): void {
  const { tenant, workflowTypes } = caller;
  const tenantOk = tenant === undefined || schedule.memo?.[TENANT_MEMO_KEY] === tenant;
  const typeOk = !workflowTypes || workflowTypes.includes(schedule.workflowType);
  if (!tenantOk || !typeOk) throw new ScheduleNotFoundError(`No schedule with ID "${scheduleId}"`, scheduleId);
}
