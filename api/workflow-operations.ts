import { randomUUID } from 'node:crypto';
import {
  WorkflowFailedError,
  WorkflowNotFoundError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import {
  ApplicationFailure,
  TimeoutFailure,
  WorkflowExecutionAlreadyStartedError,
  type SearchAttributePair,
} from '@temporalio/common';
import { bounded, slicedLongPoll, WaitEnded, type WaitBounds } from './bounded-wait';
import { checkExistingRun, idInUse, requireScope } from './auth/existing-run';
import { assertMayStart, assertVisible, isVisible, storedWorkflowId, tenantStamp } from './auth/tenancy';
import type { AuthedContext } from './context';
import { ApiError, isConnectionFailure, startInDoubt, withKnownRun } from './errors';
import { resultUrlOf } from './rest-paths';
import { CALLER_MEMO_KEY, REQUEST_ID_MEMO_KEY } from '../common/request-context';
import { FINGERPRINT_MEMO_KEY, requestFingerprint, validIdempotencyKey, workflowIdFromKey } from './idempotency';
import {
  workflowStatusSchema,
  type FailureInfo,
  type Outcome,
  type StartOptions,
  type WorkflowDescription,
  type WorkflowStatus,
} from './schemas';

/** How long a single call that is not a wait (start, describe) may take before the caller hears 503. */
const QUICK_CALL_MS = 5_000;
const NEVER = new AbortController().signal;

/** A readable default ID: the type, so that lists and the Web UI say what it is, and a unique suffix. */
export function newWorkflowId(workflowType: string): string {
  return `${workflowType}-${randomUUID()}`;
}

type StartRequest = { input: unknown; workflowId?: string; options?: StartOptions };
type StartCtx = Pick<AuthedContext, 'client' | 'config' | 'idempotencyKey' | 'signal' | 'caller' | 'requestId'>;
type Ctx = Pick<AuthedContext, 'client' | 'caller'> & { signal?: AbortSignal };

/** A request whose caller has gone away is not started: nobody would hear which run it made. */
function refuseIfCallerGone(ctx: StartCtx): void {
  if (ctx.signal.aborted)
    throw new ApiError({
      code: 'CLIENT_CLOSED_REQUEST',
      message: 'The caller went away before the workflow was started',
    });
}

/** Runs a start call; a broken connection makes the start in doubt, and the answer names the workflow ID to check. */
async function startCall<T>(ctx: StartCtx, workflowId: string, fn: () => Promise<T>): Promise<T> {
  refuseIfCallerGone(ctx);
  try {
    return await quickCall(ctx, fn, { cancelWithCaller: false });
  } catch (error) {
    if (error instanceof WaitEnded || isConnectionFailure(error))
      throw startInDoubt(error, workflowId, resultUrlOf(workflowId));
    throw error;
  }
}

/**
 * What every start records with the run: the tenant (search attribute and memo, for list filters and by-ID checks),
 * the request id and the caller's name (memo: the worker's log lines for the workflow carry them, the Web UI shows
 * them). One place, so that no start path drops the tenant.
 */
export function startStamp(ctx: Pick<AuthedContext, 'requestId' | 'caller'>): {
  typedSearchAttributes?: SearchAttributePair[];
  memo: Record<string, string>;
} {
  const tenant = tenantStamp(ctx.caller);
  return {
    typedSearchAttributes: tenant.typedSearchAttributes,
    memo: { ...tenant.memo, [REQUEST_ID_MEMO_KEY]: ctx.requestId, [CALLER_MEMO_KEY]: ctx.caller.name },
  };
}

/**
 * Starts a workflow by type name on the shared task queue. A running workflow with the same ID is a 409 naming
 * its run; with an Idempotency-Key header, retries of the same request answer with the same run instead.
 */
export async function startWorkflow(
  ctx: StartCtx,
  workflowType: string,
  request: StartRequest,
  { answersResult = false }: { answersResult?: boolean } = {},
): Promise<{ workflowId: string; runId: string }> {
  assertMayStart(ctx.caller, workflowType);
  const key = validIdempotencyKey(ctx.idempotencyKey);
  if (key !== undefined) return startIdempotently(ctx, workflowType, request, key);
  const workflowId = request.workflowId ?? newWorkflowId(workflowType);
  const policy = request.options?.idConflictPolicy;
  if (policy === 'TERMINATE_EXISTING') {
    // Terminating is the terminate scope's, and only of a run the caller could terminate by its ID.
    requireScope(ctx.caller, 'workflows:terminate', 'terminate');
    const existing = await runningRun(ctx, workflowId);
    if (existing)
      checkExistingRun(ctx.caller, workflowType, workflowId, existing, { action: 'terminate', sameType: false });
  }
  let started: { workflowId: string; runId: string };
  try {
    const handle = await startCall(ctx, workflowId, () =>
      ctx.client.workflow.start(workflowType, {
        taskQueue: ctx.config.TEMPORAL_TASK_QUEUE,
        workflowId: storedWorkflowId(ctx.caller, workflowId),
        args: [request.input],
        ...startStamp(ctx),
        workflowIdConflictPolicy: request.options?.idConflictPolicy,
        workflowIdReusePolicy: request.options?.idReusePolicy,
      }),
    );
    started = { workflowId, runId: handle.firstExecutionRunId };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    throw await conflictWithExisting(ctx, workflowId, error);
  }
  if (policy === 'USE_EXISTING') await checkAttached(ctx, workflowType, started, answersResult);
  return started;
}

/**
 * USE_EXISTING answers with the run that holds the ID. When that run is not the one this request started, the caller
 * must be able to see it (a 409 that tells nothing otherwise), it must be of the type asked for, and answering with
 * its result needs workflows:read.
 */
async function checkAttached(
  ctx: StartCtx,
  workflowType: string,
  started: { workflowId: string; runId: string },
  answersResult: boolean,
): Promise<void> {
  const handle = ctx.client.workflow.getHandle(storedWorkflowId(ctx.caller, started.workflowId), started.runId, {
    followRuns: false,
  });
  const run = await quickCall(ctx, () => handle.describe(), { cancelWithCaller: false });
  if (run.memo?.[REQUEST_ID_MEMO_KEY] === ctx.requestId) return; // the run this request started
  checkExistingRun(ctx.caller, workflowType, started.workflowId, run, {
    action: 'read the result of',
    scope: answersResult ? 'workflows:read' : undefined,
    sameType: true,
  });
}

/** The running run that holds a caller's workflow ID, or undefined when there is none. */
export async function runningRun(
  ctx: Pick<AuthedContext, 'client' | 'caller'> & { signal?: AbortSignal },
  workflowId: string,
): Promise<WorkflowExecutionDescription | undefined> {
  try {
    const run = await quickCall(ctx, () =>
      ctx.client.workflow.getHandle(storedWorkflowId(ctx.caller, workflowId)).describe(),
    );
    return run.status.name === 'RUNNING' ? run : undefined;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

async function conflictWithExisting(ctx: StartCtx, workflowId: string, cause: Error): Promise<ApiError> {
  const existing = await ctx.client.workflow.getHandle(storedWorkflowId(ctx.caller, workflowId)).describe();
  // A run the caller may not see (a type it may not touch) is never described to it.
  if (!isVisible(ctx.caller, existing)) return idInUse(workflowId, cause);
  const running = existing.status.name === 'RUNNING';
  return new ApiError({
    code: 'CONFLICT',
    message: running
      ? `Workflow "${workflowId}" is already running (run ${existing.runId})`
      : `Workflow ID "${workflowId}" was already used (run ${existing.runId}, ${existing.status.name}) and its reuse policy refuses another run`,
    details: { workflowId, existingRunId: existing.runId, workflowType: existing.type, status: existing.status.name },
    cause,
  });
}

/**
 * One key, one run: the key decides the workflow ID (unless the caller names one), so concurrent duplicates meet at
 * Temporal, which keeps one run (USE_EXISTING while open, REJECT_DUPLICATE once closed). The request's fingerprint is
 * stored in the run's memo, so the same key with a different body is told apart and refused.
 */
async function startIdempotently(ctx: StartCtx, workflowType: string, request: StartRequest, key: string) {
  if (request.options?.idConflictPolicy !== undefined || request.options?.idReusePolicy !== undefined) {
    throw new ApiError({
      code: 'BAD_REQUEST',
      message: 'options.idConflictPolicy and options.idReusePolicy cannot be combined with an Idempotency-Key header',
      details: { header: 'Idempotency-Key' },
    });
  }
  const workflowId = request.workflowId ?? workflowIdFromKey(workflowType, key);
  const fingerprint = requestFingerprint(workflowType, { input: request.input, workflowId: request.workflowId });
  let runId: string | undefined;
  const stamp = startStamp(ctx);
  try {
    const handle = await startCall(ctx, workflowId, () =>
      ctx.client.workflow.start(workflowType, {
        taskQueue: ctx.config.TEMPORAL_TASK_QUEUE,
        workflowId: storedWorkflowId(ctx.caller, workflowId),
        args: [request.input],
        typedSearchAttributes: stamp.typedSearchAttributes,
        memo: { ...stamp.memo, [FINGERPRINT_MEMO_KEY]: fingerprint },
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    );
    runId = handle.firstExecutionRunId;
  } catch (error) {
    // The run this key made has closed already: answer with it.
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  let existing: WorkflowExecutionDescription;
  try {
    existing = await quickCall(
      ctx,
      () => ctx.client.workflow.getHandle(storedWorkflowId(ctx.caller, workflowId), runId).describe(),
      {
        cancelWithCaller: false,
      },
    );
  } catch (error) {
    const resultUrl = resultUrlOf(workflowId);
    throw runId ? withKnownRun(error, { workflowId, runId, resultUrl }) : startInDoubt(error, workflowId, resultUrl);
  }
  if (!isVisible(ctx.caller, existing)) throw idInUse(workflowId);
  if (existing.memo?.[FINGERPRINT_MEMO_KEY] !== fingerprint) {
    throw new ApiError({
      code: 'UNPROCESSABLE_CONTENT',
      message: 'This Idempotency-Key was already used with a different request',
      details: { header: 'Idempotency-Key', workflowId, existingRunId: existing.runId },
    });
  }
  return { workflowId, runId: existing.runId };
}

function statusOf(description: WorkflowExecutionDescription): WorkflowStatus {
  const parsed = workflowStatusSchema.safeParse(description.status.name);
  return parsed.success ? parsed.data : 'UNKNOWN';
}

function failureLink(error: Error): FailureInfo['causes'][number] {
  return {
    type: error.name,
    message: error.message,
    applicationErrorType: error instanceof ApplicationFailure ? (error.type ?? undefined) : undefined,
    timeoutType: error instanceof TimeoutFailure ? (error.timeoutType ?? undefined) : undefined,
    nonRetryable: error instanceof ApplicationFailure ? (error.nonRetryable ?? undefined) : undefined,
  };
}

/** Flattens Temporal's failure chain (e.g. ActivityFailure → TimeoutFailure) into the documented shape. */
export function failureInfoOf(error: WorkflowFailedError): FailureInfo {
  const chain: Error[] = [];
  for (let link: unknown = error.cause ?? error; link instanceof Error && chain.length < 10; link = link.cause)
    chain.push(link);
  const [outer, ...causes] = chain as [Error, ...Error[]];
  return { ...failureLink(outer), causes: causes.map(failureLink) };
}

type WaitCtx = Pick<AuthedContext, 'client' | 'config' | 'signal' | 'draining' | 'caller'>;

/** The bounds of a wait of `waitMs` (capped by MAX_WAIT_MS) that starts now. */
export function waitBounds(ctx: WaitCtx, waitMs: number): WaitBounds {
  return {
    deadline: Date.now() + Math.min(waitMs, ctx.config.MAX_WAIT_MS),
    callerGone: ctx.signal,
    draining: ctx.draining,
  };
}

/**
 * A single call that is not a wait (describe, a closed run's result, a start): bounded too, but draining does not
 * cut it, and a start is not cancelled when its caller goes (a start cut in half is a start in doubt).
 */
function quickCall<T>(
  ctx: Pick<AuthedContext, 'client'> & { signal?: AbortSignal },
  fn: () => Promise<T>,
  { cancelWithCaller = true } = {},
): Promise<T> {
  const bounds = {
    deadline: Date.now() + QUICK_CALL_MS,
    callerGone: (cancelWithCaller && ctx.signal) || NEVER,
    draining: NEVER,
  };
  return bounded(ctx.client, bounds, fn);
}

/** Waits for the run to close within `bounds`: true once closed (completed or not), false when the wait ended first. */
async function waitUntilClosed(ctx: WaitCtx, handle: WorkflowHandle, bounds: WaitBounds): Promise<boolean> {
  try {
    await slicedLongPoll(ctx.client, bounds, () => handle.result());
    return true;
  } catch (error) {
    if (error instanceof WorkflowFailedError) return true;
    if (error instanceof WaitEnded) return false;
    throw error;
  }
}

async function outcomeOfClosedRun(
  ctx: Pick<AuthedContext, 'client' | 'signal' | 'caller'>,
  workflowId: string,
  runId: string,
  status: WorkflowStatus,
): Promise<Outcome> {
  const handle = ctx.client.workflow.getHandle(storedWorkflowId(ctx.caller, workflowId), runId, { followRuns: false });
  switch (status) {
    case 'COMPLETED':
      return { workflowId, runId, status, result: await quickCall(ctx, () => handle.result()) };
    case 'FAILED':
    case 'CANCELLED':
    case 'TERMINATED':
    case 'TIMED_OUT':
      try {
        await quickCall(ctx, () => handle.result());
      } catch (error) {
        if (error instanceof WorkflowFailedError) return { workflowId, runId, status, failure: failureInfoOf(error) };
        throw error;
      }
      throw new Error(`workflow ${workflowId} is ${status} but returned a result`);
    case 'RUNNING':
      return { workflowId, runId, status, resultUrl: resultUrlOf(workflowId) };
    default:
      return { workflowId, runId, status };
  }
}

/**
 * The workflow's outcome, waiting up to `waitMs` (capped by MAX_WAIT_MS) for it to close; the answer comes by then
 * whatever the connection does. Without a run ID it reports the latest run of the ID. Once the run is known, an
 * error names it (withKnownRun).
 */
export async function outcomeOf(ctx: WaitCtx, workflowId: string, waitMs: number, runId?: string): Promise<Outcome> {
  const bounds = waitBounds(ctx, waitMs);
  const handle = ctx.client.workflow.getHandle(storedWorkflowId(ctx.caller, workflowId), runId);
  let description = await quickCall(ctx, () => handle.describe());
  assertVisible(ctx.caller, workflowId, description);
  const run = { workflowId, runId: description.runId, resultUrl: resultUrlOf(workflowId) };
  try {
    if (statusOf(description) === 'RUNNING' && bounds.deadline > Date.now()) {
      if (!(await waitUntilClosed(ctx, handle, bounds))) return { ...run, status: 'RUNNING' };
      description = await quickCall(ctx, () => handle.describe());
    }
    return await outcomeOfClosedRun(ctx, workflowId, description.runId, statusOf(description));
  } catch (error) {
    throw withKnownRun(error, { ...run, runId: description.runId });
  }
}

/**
 * The outcome of a run this request just started: waits on its result directly (one long poll, as
 * client.workflow.execute does) and describes it only when it closed without completing. Every answer, errors
 * included, names the run.
 */
export async function outcomeOfStarted(
  ctx: WaitCtx,
  workflowId: string,
  runId: string,
  waitMs: number,
): Promise<Outcome> {
  const run = { workflowId, runId, resultUrl: resultUrlOf(workflowId) };
  const handle = ctx.client.workflow.getHandle(storedWorkflowId(ctx.caller, workflowId), runId, {
    followRuns: false,
  });
  try {
    const result: unknown = await slicedLongPoll(ctx.client, waitBounds(ctx, waitMs), () => handle.result());
    return { workflowId, runId, status: 'COMPLETED', result };
  } catch (error) {
    if (error instanceof WaitEnded) return { ...run, status: 'RUNNING' };
    if (!(error instanceof WorkflowFailedError)) throw withKnownRun(error, run);
  }
  return outcomeOf(ctx, workflowId, 0, runId);
}

/**
 * Describes the latest run of a workflow ID: type, status, times and task queue. A run the caller may not see
 * (another tenant's, a type it may not touch) is a 404, as if it did not exist.
 */
export async function describeWorkflow(ctx: Ctx, workflowId: string): Promise<WorkflowDescription> {
  const description = await quickCall(ctx, () =>
    ctx.client.workflow.getHandle(storedWorkflowId(ctx.caller, workflowId)).describe(),
  );
  assertVisible(ctx.caller, workflowId, description);
  return {
    workflowId,
    runId: description.runId,
    type: description.type,
    status: statusOf(description),
    taskQueue: description.taskQueue,
    startTime: description.startTime.toISOString(),
    executionTime: description.executionTime?.toISOString() ?? null,
    closeTime: description.closeTime?.toISOString() ?? null,
    historyLength: description.historyLength,
  };
}
