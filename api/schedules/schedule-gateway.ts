import { ScheduleAlreadyRunning, ScheduleNotFoundError, type ScheduleHandle } from '@temporalio/client';
import { bounded } from '../temporal/bounded-wait';
import { callerWorkflowId, storedWorkflowId, TENANT_MEMO_KEY } from '../auth/tenancy';
import type { AuthedContext } from '../context';
import { ApiError } from '../errors/mapping';

/** How long one schedule call may take before the caller hears 503 (as for a start or describe). */
const QUICK_CALL_MS = 5_000;
const NEVER = new AbortController().signal;

export type ScheduleCtx = Pick<AuthedContext, 'client' | 'caller' | 'config' | 'requestId' | 'idempotencyKey'>;

/** A schedule call bounded like the API's other quick calls, with the SDK's schedule errors named by the caller's ID. */
export async function scheduleCall<T>(ctx: ScheduleCtx, scheduleId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await bounded(ctx.client, { deadline: Date.now() + QUICK_CALL_MS, callerGone: NEVER, draining: NEVER }, fn);
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) throw scheduleNotFound(scheduleId, error);
    if (error instanceof ScheduleAlreadyRunning)
      throw new ApiError({
        code: 'CONFLICT',
        message: `A schedule with ID "${scheduleId}" already exists`,
        details: { scheduleId },
        cause: error,
      });
    throw error;
  }
}

export function scheduleNotFound(scheduleId: string, cause?: unknown): ApiError {
  return new ApiError({
    code: 'NOT_FOUND',
    message: `No schedule with ID "${scheduleId}"`,
    details: { scheduleId },
    cause,
  });
}

/** The handle of a caller's schedule: its ID namespaced by tenant, like workflow IDs. */
export function scheduleHandle(ctx: ScheduleCtx, scheduleId: string): ScheduleHandle {
  return ctx.client.schedule.getHandle(storedWorkflowId(ctx.caller, scheduleId));
}

/** The schedule ID (or started workflow ID) as the caller knows it. */
export function callerIdOf(ctx: ScheduleCtx, storedId: string): string {
  return callerWorkflowId(ctx.caller, storedId);
}

/**
 * Whether the caller may see a schedule: its tenant's (untenanted callers see all) and starting a type it may
 * touch. Another tenant's schedule is a 404, as if it did not exist.
 */
export function assertScheduleVisible(
  ctx: ScheduleCtx,
  scheduleId: string,
  schedule: { workflowType: string; memo?: Record<string, unknown> | undefined },
): void {
  const { tenant, workflowTypes } = ctx.caller;
  const tenantOk = tenant === undefined || schedule.memo?.[TENANT_MEMO_KEY] === tenant;
  const typeOk = !workflowTypes || workflowTypes.includes(schedule.workflowType);
  if (!tenantOk || !typeOk) throw scheduleNotFound(scheduleId);
}
