import { randomUUID } from 'node:crypto';
import {
  isGrpcCancelledError,
  WorkflowFailedError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, TimeoutFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { REQUEST_ID_MEMO_KEY } from '../common/request-context';
import type { Context } from './context';
import { ApiError } from './errors';
import { FINGERPRINT_MEMO_KEY, requestFingerprint, validIdempotencyKey, workflowIdFromKey } from './idempotency';
import {
  workflowStatusSchema,
  type FailureInfo,
  type Outcome,
  type StartOptions,
  type WorkflowDescription,
  type WorkflowStatus,
} from './schemas';

/** REST paths are served under this prefix; tRPC under /trpc. */
export const REST_BASE_PATH = '/api';

export function resultUrlOf(workflowId: string): string {
  return `${REST_BASE_PATH}/workflows/${encodeURIComponent(workflowId)}/result`;
}

/** A readable default ID: the type, so that lists and the Web UI say what it is, and a unique suffix. */
export function newWorkflowId(workflowType: string): string {
  return `${workflowType}-${randomUUID()}`;
}

type StartRequest = { input: unknown; workflowId?: string; options?: StartOptions };
type StartCtx = Pick<Context, 'client' | 'config' | 'idempotencyKey' | 'requestId'>;

/** The memo every start records: the request id, which the worker's log lines for the workflow then carry. */
export function requestMemo(ctx: Pick<Context, 'requestId'>): Record<string, string> {
  return { [REQUEST_ID_MEMO_KEY]: ctx.requestId };
}

/**
 * Starts a workflow by type name on the shared task queue. A running workflow with the same ID is a 409 naming
 * its run; with an Idempotency-Key header, retries of the same request answer with the same run instead.
 */
export async function startWorkflow(
  ctx: StartCtx,
  workflowType: string,
  request: StartRequest,
): Promise<{ workflowId: string; runId: string }> {
  const key = validIdempotencyKey(ctx.idempotencyKey);
  if (key !== undefined) return startIdempotently(ctx, workflowType, request, key);
  const workflowId = request.workflowId ?? newWorkflowId(workflowType);
  try {
    const handle = await ctx.client.workflow.start(workflowType, {
      taskQueue: ctx.config.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [request.input],
      memo: requestMemo(ctx),
      workflowIdConflictPolicy: request.options?.idConflictPolicy,
      workflowIdReusePolicy: request.options?.idReusePolicy,
    });
    return { workflowId, runId: handle.firstExecutionRunId };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    throw await conflictWithExisting(ctx, workflowId, error);
  }
}

async function conflictWithExisting(ctx: StartCtx, workflowId: string, cause: Error): Promise<ApiError> {
  const existing = await ctx.client.workflow.getHandle(workflowId).describe();
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
  try {
    const handle = await ctx.client.workflow.start(workflowType, {
      taskQueue: ctx.config.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [request.input],
      memo: { ...requestMemo(ctx), [FINGERPRINT_MEMO_KEY]: fingerprint },
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    runId = handle.firstExecutionRunId;
  } catch (error) {
    // The run this key made has closed already: answer with it.
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  const existing = await ctx.client.workflow.getHandle(workflowId, runId).describe();
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

/** Waits until the workflow closes, for at most `waitMs` or until the caller goes away; false when it is still running. */
async function waitUntilClosed(
  ctx: Pick<Context, 'client' | 'signal'>,
  handle: WorkflowHandle,
  waitMs: number,
): Promise<boolean> {
  const signal = AbortSignal.any([AbortSignal.timeout(waitMs), ctx.signal]);
  try {
    await ctx.client.withAbortSignal(signal, () => handle.result());
    return true;
  } catch (error) {
    if (error instanceof WorkflowFailedError) return true;
    if (signal.aborted && (isGrpcCancelledError(error) || (error instanceof Error && error.name === 'AbortError')))
      return false;
    throw error;
  }
}

async function outcomeOfClosedRun(
  ctx: Pick<Context, 'client'>,
  workflowId: string,
  runId: string,
  status: WorkflowStatus,
): Promise<Outcome> {
  const handle = ctx.client.workflow.getHandle(workflowId, runId, { followRuns: false });
  switch (status) {
    case 'COMPLETED':
      return { workflowId, runId, status, result: await handle.result() };
    case 'FAILED':
    case 'CANCELLED':
    case 'TERMINATED':
    case 'TIMED_OUT':
      try {
        await handle.result();
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
 * The workflow's outcome, waiting up to `waitMs` (capped by MAX_WAIT_MS) for it to close.
 * Without a run ID it reports the latest run of the ID.
 */
export async function outcomeOf(
  ctx: Pick<Context, 'client' | 'config' | 'signal'>,
  workflowId: string,
  waitMs: number,
  runId?: string,
): Promise<Outcome> {
  const handle = ctx.client.workflow.getHandle(workflowId, runId);
  let description = await handle.describe();
  const wait = Math.min(waitMs, ctx.config.MAX_WAIT_MS);
  if (statusOf(description) === 'RUNNING' && wait > 0 && (await waitUntilClosed(ctx, handle, wait))) {
    description = await handle.describe();
  }
  return outcomeOfClosedRun(ctx, workflowId, description.runId, statusOf(description));
}

/**
 * The outcome of a run this request just started: waits on its result directly (one long poll, as
 * client.workflow.execute does) and falls back to describing it only when it did not complete within the wait.
 */
export async function outcomeOfStarted(
  ctx: Pick<Context, 'client' | 'config' | 'signal'>,
  workflowId: string,
  runId: string,
  waitMs: number,
): Promise<Outcome> {
  const wait = Math.min(waitMs, ctx.config.MAX_WAIT_MS);
  if (wait > 0) {
    const handle = ctx.client.workflow.getHandle(workflowId, runId, { followRuns: false });
    const signal = AbortSignal.any([AbortSignal.timeout(wait), ctx.signal]);
    try {
      const result: unknown = await ctx.client.withAbortSignal(signal, () => handle.result());
      return { workflowId, runId, status: 'COMPLETED', result };
    } catch (error) {
      // Still running (the wait ended), or closed without completing: the describe path below says which.
      if (!(error instanceof WorkflowFailedError) && !signal.aborted) throw error;
    }
  }
  return outcomeOf(ctx, workflowId, 0, runId);
}

/** Describes the latest run of a workflow ID: type, status, times and task queue. */
export async function describeWorkflow(ctx: Pick<Context, 'client'>, workflowId: string): Promise<WorkflowDescription> {
  const description = await ctx.client.workflow.getHandle(workflowId).describe();
  return {
    workflowId: description.workflowId,
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
