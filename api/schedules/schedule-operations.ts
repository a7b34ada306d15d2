import {
  ScheduleAlreadyRunning,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleSpec,
  type ScheduleUpdateOptions,
} from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time';
import { assertMayStart } from '../auth/tenancy';
import type { AuthedContext } from '../context';
import { ApiError, InputError, pageTokenError } from '../errors/mapping';
import { FINGERPRINT_MEMO_KEY, requestFingerprint, validIdempotencyKey } from '../operations/idempotency';
import { temporalGateway, type TemporalGateway } from '../temporal/gateway';
import type { WorkflowType } from '../../workflows/contracts';
import { assertScheduleVisible } from './schedule-visibility';
import {
  contractOf,
  type CreateScheduleInput,
  type ListedSchedule,
  type PatchScheduleInput,
  type ScheduleSpecInput,
  type ScheduleView,
} from './schedule-schemas';

export type ScheduleCtx = Pick<AuthedContext, 'client' | 'caller' | 'config' | 'requestId' | 'idempotencyKey'> & {
  signal?: AbortSignal;
};
type Gateway = TemporalGateway<ScheduleCtx>;

type Overlap = NonNullable<NonNullable<ScheduleOptions['policies']>['overlap']>;
type Body = Omit<CreateScheduleInput, 'scheduleId'>;

function iso(date: Date | undefined | null): string | null {
  return date ? date.toISOString() : null;
}

/** The contract's parsed input (defaults applied): what each run gets, as a start through the API would. */
function parsedInput(workflowType: WorkflowType, input: unknown): unknown {
  const parsed = contractOf(workflowType).input.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new InputError(
    parsed.error.issues.map((issue) => ({
      path: ['input', ...issue.path].map(String).join('.'),
      message: issue.message,
    })),
  );
}

function sdkSpec(spec: ScheduleSpecInput): ScheduleSpec {
  return {
    intervals: spec.intervals?.map((interval) => ({
      every: interval.every as Duration,
      offset: interval.offset as Duration | undefined,
    })),
    cronExpressions: spec.cronExpressions,
    // The schema has the SDK's CalendarSpec names and units; zod's types are only wider (plain strings for unions).
    calendars: spec.calendars as ScheduleSpec['calendars'],
    skip: spec.skip as ScheduleSpec['skip'],
    timezone: spec.timezone,
    jitter: spec.jitter as Duration | undefined,
    startAt: spec.startAt === undefined ? undefined : new Date(spec.startAt),
    endAt: spec.endAt === undefined ? undefined : new Date(spec.endAt),
  };
}

/** The workflow a schedule starts, namespaced and stamped by the gateway like every start through the API. */
function sdkAction(gateway: Gateway, scheduleId: string, body: Body) {
  return gateway.scheduleAction({
    workflowType: body.workflowType,
    workflowId: body.workflowId ?? scheduleId,
    input: parsedInput(body.workflowType, body.input),
  });
}

function sdkPolicies(policies: Body['policies']): ScheduleOptions['policies'] {
  return {
    overlap: policies?.overlap,
    catchupWindow: policies?.catchupWindow as Duration | undefined,
    pauseOnFailure: policies?.pauseOnFailure,
  };
}

/**
 * Creates a schedule of a contract workflow; everything is checked before Temporal is called, so a refused request
 * leaves nothing behind. An existing ID is a 409 naming it; with an Idempotency-Key, the same body answers the same
 * schedule (the fingerprint is kept in the schedule's memo) and another body a 422.
 */
export async function createSchedule(ctx: ScheduleCtx, request: CreateScheduleInput): Promise<ScheduleView> {
  assertMayStart(ctx.caller, request.workflowType);
  const key = validIdempotencyKey(ctx.idempotencyKey);
  const { scheduleId, ...body } = request;
  const fingerprint = requestFingerprint('schedule', request);
  const gateway = temporalGateway(ctx);
  try {
    await gateway.createSchedule(scheduleId, {
      spec: sdkSpec(body.spec),
      action: sdkAction(gateway, scheduleId, body),
      policies: sdkPolicies(body.policies),
      state: body.state,
      memo: key === undefined ? {} : { [FINGERPRINT_MEMO_KEY]: fingerprint },
    });
  } catch (error) {
    if (key === undefined || !(error instanceof ScheduleAlreadyRunning)) throw error;
    const existing = await describeVisible(gateway, scheduleId);
    if (existing.memo?.[FINGERPRINT_MEMO_KEY] !== fingerprint)
      throw new ApiError({
        code: 'UNPROCESSABLE_CONTENT',
        message: `This Idempotency-Key was already used with a different request, or schedule "${scheduleId}" was made without it`,
        details: { header: 'Idempotency-Key', scheduleId },
      });
    return viewOf(gateway, existing);
  }
  return describeSchedule(ctx, scheduleId);
}

async function describeVisible(gateway: Gateway, scheduleId: string): Promise<ScheduleDescription> {
  const description = await gateway.schedule(scheduleId).describe();
  assertScheduleVisible(gateway.ctx.caller, scheduleId, {
    workflowType: description.action.workflowType,
    memo: description.memo,
  });
  return description;
}

function viewOf(gateway: Gateway, description: ScheduleDescription): ScheduleView {
  const callerIdOf = (storedId: string): string => gateway.callerId(storedId);
  const { spec, action, policies, state, info } = description;
  return {
    scheduleId: callerIdOf(description.scheduleId),
    workflowType: action.workflowType,
    workflowId: callerIdOf(action.workflowId ?? ''),
    input: action.args?.[0] ?? null,
    spec: {
      intervals: (spec.intervals ?? []).map((interval) => ({
        everyMs: interval.every,
        offsetMs: interval.offset ?? 0,
      })),
      calendars: (spec.calendars ?? []) as unknown as Record<string, unknown>[],
      skip: (spec.skip ?? []) as unknown as Record<string, unknown>[],
      timezone: spec.timezone ?? null,
      jitterMs: spec.jitter ?? null,
      startAt: iso(spec.startAt),
      endAt: iso(spec.endAt),
    },
    policies: {
      overlap: policies.overlap ?? 'SKIP',
      catchupWindowMs: policies.catchupWindow,
      pauseOnFailure: policies.pauseOnFailure,
    },
    state: { paused: state.paused, note: state.note || null, remainingActions: state.remainingActions ?? null },
    info: {
      nextActionTimes: info.nextActionTimes.map((time) => time.toISOString()),
      recentActions: info.recentActions.map((result) => ({
        scheduledAt: result.scheduledAt.toISOString(),
        takenAt: result.takenAt.toISOString(),
        workflowId: callerIdOf(result.action.workflow.workflowId),
        runId: result.action.workflow.firstExecutionRunId,
      })),
      runningWorkflowIds: info.runningActions.map((running) => callerIdOf(running.workflow.workflowId)),
      numActionsTaken: info.numActionsTaken,
      numActionsSkippedOverlap: info.numActionsSkippedOverlap,
      numActionsMissedCatchupWindow: info.numActionsMissedCatchupWindow,
      createdAt: info.createdAt.toISOString(),
      lastUpdatedAt: iso(info.lastUpdatedAt),
    },
  };
}

/** A schedule: its spec, policies and state, its next action times and the runs it started lately. */
export async function describeSchedule(ctx: ScheduleCtx, scheduleId: string): Promise<ScheduleView> {
  const gateway = temporalGateway(ctx);
  return viewOf(gateway, await describeVisible(gateway, scheduleId));
}

function currentState(previous: ScheduleDescription): ScheduleUpdateOptions['state'] {
  return {
    paused: previous.state.paused,
    note: previous.state.note,
    remainingActions: previous.state.remainingActions,
  };
}

/** Replaces a schedule's action, spec and policies (PUT); its state only when given. */
export async function replaceSchedule(ctx: ScheduleCtx, request: CreateScheduleInput): Promise<ScheduleView> {
  assertMayStart(ctx.caller, request.workflowType);
  const { scheduleId, ...body } = request;
  const gateway = temporalGateway(ctx);
  const action = sdkAction(gateway, scheduleId, body);
  await describeVisible(gateway, scheduleId);
  await gateway.schedule(scheduleId).update((previous) => ({
    spec: sdkSpec(body.spec),
    action,
    policies: sdkPolicies(body.policies),
    state: body.state ?? currentState(previous),
  }));
  return describeSchedule(ctx, scheduleId);
}

/** Changes the sections given (PATCH): input is checked against the schedule's (or the new) workflow type. */
export async function patchSchedule(ctx: ScheduleCtx, request: PatchScheduleInput): Promise<ScheduleView> {
  const { scheduleId } = request;
  const gateway = temporalGateway(ctx);
  const current = await describeVisible(gateway, scheduleId);
  const workflowType = request.workflowType ?? (current.action.workflowType as WorkflowType);
  if (request.workflowType !== undefined) assertMayStart(ctx.caller, request.workflowType);
  const input = request.input === undefined ? undefined : parsedInput(workflowType, request.input);
  await gateway.schedule(scheduleId).update((previous) => ({
    ...previous,
    spec: request.spec ? sdkSpec(request.spec) : previous.spec,
    action: {
      ...previous.action,
      workflowType,
      workflowId: request.workflowId === undefined ? previous.action.workflowId : gateway.storedId(request.workflowId),
      args: input === undefined ? previous.action.args : [input],
    },
    policies: request.policies ? sdkPolicies(request.policies) : previous.policies,
    state: request.state ?? currentState(previous),
  }));
  return describeSchedule(ctx, scheduleId);
}

/** Deletes a schedule; the runs it started are left to finish. */
export async function deleteSchedule(
  ctx: ScheduleCtx,
  scheduleId: string,
): Promise<{ scheduleId: string; deleted: true }> {
  const gateway = temporalGateway(ctx);
  await describeVisible(gateway, scheduleId);
  await gateway.schedule(scheduleId).delete();
  return { scheduleId, deleted: true };
}

/** Pauses (or unpauses) a schedule, recording the note operators read. */
export async function setSchedulePaused(
  ctx: ScheduleCtx,
  scheduleId: string,
  paused: boolean,
  note: string | undefined,
): Promise<ScheduleView> {
  const gateway = temporalGateway(ctx);
  await describeVisible(gateway, scheduleId);
  const text = note ?? `${paused ? 'Paused' : 'Unpaused'} through the API by ${ctx.caller.name}`;
  const schedule = gateway.schedule(scheduleId);
  await (paused ? schedule.pause(text) : schedule.unpause(text));
  return describeSchedule(ctx, scheduleId);
}

/** Starts the schedule's action now, under the given overlap policy (the schedule's own by default). */
export async function triggerSchedule(
  ctx: ScheduleCtx,
  scheduleId: string,
  overlap: Overlap | undefined,
): Promise<{ scheduleId: string; triggered: true }> {
  const gateway = temporalGateway(ctx);
  await describeVisible(gateway, scheduleId);
  await gateway.schedule(scheduleId).trigger(overlap);
  return { scheduleId, triggered: true };
}

/** Runs the actions the schedule would have taken in a past (or future) time range. */
export async function backfillSchedule(
  ctx: ScheduleCtx,
  request: { scheduleId: string; start: string; end: string; overlap?: Overlap },
): Promise<{ scheduleId: string; backfilled: { start: string; end: string } }> {
  const gateway = temporalGateway(ctx);
  await describeVisible(gateway, request.scheduleId);
  await gateway.schedule(request.scheduleId).backfill({
    start: new Date(request.start),
    end: new Date(request.end),
    overlap: request.overlap,
  });
  return { scheduleId: request.scheduleId, backfilled: { start: request.start, end: request.end } };
}

/** A dry run: the times in [from, to] at which the schedule's spec fires (nothing is started). */
export async function scheduleMatchingTimes(
  ctx: ScheduleCtx,
  request: { scheduleId: string; from: string; to: string },
): Promise<{ scheduleId: string; times: string[] }> {
  const gateway = temporalGateway(ctx);
  await describeVisible(gateway, request.scheduleId);
  const response = await gateway
    .schedule(request.scheduleId)
    .matchingTimes(new Date(request.from), new Date(request.to));
  return { scheduleId: request.scheduleId, times: (response.startTime ?? []).map(isoOfTs) };
}

/** A protobuf timestamp as ISO text. */
function isoOfTs(time: Parameters<typeof tsToMs>[0]): string {
  return new Date(tsToMs(time)).toISOString();
}

/**
 * One page of the caller's schedules. The tenant's filter is added on the server from its credentials; a caller
 * limited to some workflow types sees only schedules of those (filtered after the page is read: a page may be short).
 */
export async function listSchedules(
  ctx: ScheduleCtx,
  request: { pageSize: number; pageToken?: string },
): Promise<{ schedules: ListedSchedule[]; nextPageToken: string | null }> {
  const gateway = temporalGateway(ctx);
  const callerIdOf = (storedId: string): string => gateway.callerId(storedId);
  const response = await gateway
    .listSchedules({
      pageSize: request.pageSize,
      nextPageToken: request.pageToken ? Buffer.from(request.pageToken, 'base64url') : undefined,
    })
    .catch((error: unknown) => {
      throw request.pageToken === undefined ? error : pageTokenError(error);
    });
  const allowed = ctx.caller.workflowTypes;
  const schedules = response.schedules
    .filter((entry) => !allowed || allowed.includes(entry.info?.workflowType?.name ?? ''))
    .map((entry): ListedSchedule => ({
      scheduleId: callerIdOf(entry.scheduleId ?? ''),
      workflowType: entry.info?.workflowType?.name ?? '',
      paused: entry.info?.paused ?? false,
      note: entry.info?.notes || null,
      nextActionTimes: (entry.info?.futureActionTimes ?? []).map(isoOfTs),
      recentActions: (entry.info?.recentActions ?? []).map((action) => ({
        scheduledAt: isoOfTs(action.scheduleTime),
        takenAt: isoOfTs(action.actualTime),
        workflowId: callerIdOf(action.startWorkflowResult?.workflowId ?? ''),
        runId: action.startWorkflowResult?.runId ?? '',
      })),
    }));
  const token =
    response.nextPageToken && response.nextPageToken.length > 0
      ? Buffer.from(response.nextPageToken).toString('base64url')
      : null;
  return { schedules, nextPageToken: token };
}
