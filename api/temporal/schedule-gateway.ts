import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Backfill,
  type ScheduleDescription,
  type ScheduleHandle,
  type ScheduleOptions,
  type ScheduleOverlapPolicy,
  type ScheduleUpdateOptions,
} from '@temporalio/client';
import { msNumberToTs } from '@temporalio/common/lib/time';
import { scheduleListClauseFor, tenantStamp } from '../auth/tenancy';
import type { AuthedContext } from '../context';
import type { GatewayCtx, TemporalGateway } from './gateway';

// The schedule calls of the gateway (api/temporal/gateway.ts exposes them), under its rules: the caller's schedule IDs (and the
// workflow IDs their actions start) are namespaced for its tenant, every action is stamped like a start, every call
// is bounded by QUICK_CALL_MS, and a write is not cancelled when the caller goes. The SDK's schedule errors are
// thrown again naming the caller's ID (the stored one carries the tenant), for api/errors/mapping.ts to answer.

/** What a schedule's action needs from the request: a start's (the task queue, the request id it stamps). */
export type ScheduleGatewayCtx = GatewayCtx & Pick<AuthedContext, 'requestId' | 'config'>;

/** The workflow a schedule starts, as the caller names it. */
export interface ScheduleActionRequest {
  workflowType: string;
  workflowId: string;
  input: unknown;
}

/** The same SDK schedule error, naming the caller's schedule ID instead of the stored one. */
function namedForCaller(error: unknown, scheduleId: string): unknown {
  if (error instanceof ScheduleNotFoundError)
    return new ScheduleNotFoundError(`No schedule with ID "${scheduleId}"`, scheduleId);
  if (error instanceof ScheduleAlreadyRunning)
    return new ScheduleAlreadyRunning(`A schedule with ID "${scheduleId}" already exists`, scheduleId);
  return error;
}

async function scheduleCall<T>(
  gateway: TemporalGateway<GatewayCtx>,
  scheduleId: string,
  fn: () => Promise<T>,
  options: { write?: boolean } = {},
): Promise<T> {
  try {
    return await gateway.quick(fn, options);
  } catch (error) {
    throw namedForCaller(error, scheduleId);
  }
}

/** One schedule of the caller's (by the ID the caller knows); every call on it is namespaced and bounded. */
export class GatewaySchedule {
  private readonly handle: ScheduleHandle;
  constructor(
    private readonly gateway: TemporalGateway<GatewayCtx>,
    readonly scheduleId: string,
  ) {
    this.handle = gateway.ctx.client.schedule.getHandle(gateway.storedId(scheduleId));
  }
  private call<T>(fn: () => Promise<T>, options?: { write?: boolean }): Promise<T> {
    return scheduleCall(this.gateway, this.scheduleId, fn, options);
  }
  describe(): Promise<ScheduleDescription> {
    return this.call(() => this.handle.describe());
  }
  /** Replaces the schedule with what `updateFn` makes of its current description (IDs in it are as stored). */
  update(updateFn: (previous: ScheduleDescription) => ScheduleUpdateOptions): Promise<void> {
    return this.call(() => this.handle.update(updateFn), { write: true });
  }
  delete(): Promise<void> {
    return this.call(() => this.handle.delete(), { write: true });
  }
  pause(note: string): Promise<void> {
    return this.call(() => this.handle.pause(note), { write: true });
  }
  unpause(note: string): Promise<void> {
    return this.call(() => this.handle.unpause(note), { write: true });
  }
  trigger(overlap?: ScheduleOverlapPolicy): Promise<void> {
    return this.call(() => this.handle.trigger(overlap), { write: true });
  }
  backfill(backfill: Backfill): Promise<void> {
    return this.call(() => this.handle.backfill(backfill), { write: true });
  }
  /** The times in [from, to] at which the schedule's spec fires (a dry run: nothing is started). */
  matchingTimes(from: Date, to: Date) {
    const { client } = this.gateway.ctx;
    return this.call(() =>
      client.workflowService.listScheduleMatchingTimes({
        namespace: client.options.namespace,
        scheduleId: this.gateway.storedId(this.scheduleId),
        startTime: msNumberToTs(from.getTime()),
        endTime: msNumberToTs(to.getTime()),
      }),
    );
  }
}

/**
 * The start action of a schedule: on the shared task queue, the workflow ID namespaced, stamped like every start
 * through the API (startStamp: the tenant's search attribute and memo, the request and caller, the fairness key),
 * so a tenant lists and reads the runs its schedules start.
 */
export function scheduleAction(gateway: TemporalGateway<ScheduleGatewayCtx>, request: ScheduleActionRequest) {
  return {
    type: 'startWorkflow' as const,
    workflowType: request.workflowType,
    taskQueue: gateway.ctx.config.TEMPORAL_TASK_QUEUE,
    workflowId: gateway.storedId(request.workflowId),
    args: [request.input],
    ...gateway.stamp(request.workflowType),
  };
}

/**
 * Creates a schedule under the caller's (namespaced) ID, stamped with its tenant (search attribute, for the list
 * filter; memo, for by-ID checks) besides the memo given. An existing ID throws ScheduleAlreadyRunning.
 */
export async function createSchedule(
  gateway: TemporalGateway<GatewayCtx>,
  scheduleId: string,
  options: Omit<ScheduleOptions, 'scheduleId' | 'typedSearchAttributes'>,
): Promise<void> {
  const tenant = tenantStamp(gateway.ctx.caller);
  const { client } = gateway.ctx;
  const stamped: ScheduleOptions = {
    ...options,
    scheduleId: gateway.storedId(scheduleId),
    typedSearchAttributes: tenant.typedSearchAttributes,
    memo: { ...tenant.memo, ...options.memo },
  };
  await scheduleCall(gateway, scheduleId, () => client.schedule.create(stamped), { write: true });
}

/** One page of the schedules, with the caller's tenant filter added here, on the server, never from the request. */
export function listSchedules(
  gateway: TemporalGateway<GatewayCtx>,
  request: { pageSize: number; nextPageToken?: Uint8Array },
) {
  const { client } = gateway.ctx;
  return gateway.quick(() =>
    client.workflowService.listSchedules({
      namespace: client.options.namespace,
      maximumPageSize: request.pageSize,
      nextPageToken: request.nextPageToken,
      query: scheduleListClauseFor(gateway.ctx.caller),
    }),
  );
}
