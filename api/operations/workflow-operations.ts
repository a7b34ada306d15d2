import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowNotFoundError, type WorkflowExecutionDescription } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { WaitEnded, type WaitBounds } from '../temporal/bounded-wait';
import { temporalGateway, type GatewayCtx, type GatewayRun, type StartingCtx } from '../temporal/gateway';
import { checkExistingRun, idInUse, requireScope } from '../auth/existing-run';
import { assertMayStart, assertVisible, isVisible } from '../auth/tenancy';
import type { AuthedContext } from '../context';
import { ApiError, isConnectionFailure, startInDoubt, withKnownRun } from '../errors/mapping';
import { resultUrlOf } from '../http/rest-paths';
import { failureInfoOf } from '../../common/failure-info';
import { REQUEST_ID_MEMO_KEY } from '../../common/request-context';
import { FINGERPRINT_MEMO_KEY, requestFingerprint, validIdempotencyKey, workflowIdFromKey } from './idempotency';
import {
  workflowStatusSchema,
  type Outcome,
  type StartOptions,
  type WorkflowDescription,
  type WorkflowStatus,
} from '../schemas';

/** A readable default ID: the type, so that lists and the Web UI say what it is, and a unique suffix. */
export function newWorkflowId(workflowType: string): string {
  return `${workflowType}-${randomUUID()}`;
}

type StartRequest = { input: unknown; workflowId?: string; options?: StartOptions };
type StartCtx = StartingCtx & Pick<AuthedContext, 'idempotencyKey' | 'signal' | 'security'>;
type Ctx = GatewayCtx;

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
    return await fn();
  } catch (error) {
    if (error instanceof WaitEnded || isConnectionFailure(error))
      throw startInDoubt(error, workflowId, resultUrlOf(workflowId));
    throw error;
  }
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
    const { runId } = await startCall(ctx, workflowId, () =>
      temporalGateway(ctx).start(workflowType, {
        workflowId,
        input: request.input,
        idConflictPolicy: request.options?.idConflictPolicy,
        idReusePolicy: request.options?.idReusePolicy,
      }),
    );
    started = { workflowId, runId };
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
  const run = await temporalGateway(ctx).run(started.workflowId, started.runId, { followRuns: false }).describe();
  if (run.memo?.[REQUEST_ID_MEMO_KEY] === ctx.requestId) return; // the run this request started
  checkExistingRun(ctx.caller, workflowType, started.workflowId, run, {
    action: 'read the result of',
    scope: answersResult ? 'workflows:read' : undefined,
    sameType: true,
  });
}

/** The running run that holds a caller's workflow ID, or undefined when there is none. */
export async function runningRun(
  ctx: GatewayCtx,
  workflowId: string,
): Promise<WorkflowExecutionDescription | undefined> {
  try {
    const run = await temporalGateway(ctx).run(workflowId).describe();
    return run.status.name === 'RUNNING' ? run : undefined;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

async function conflictWithExisting(ctx: StartCtx, workflowId: string, cause: Error): Promise<ApiError> {
  const existing = await temporalGateway(ctx).run(workflowId).describe();
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
  const gateway = temporalGateway(ctx);
  try {
    const started = await startCall(ctx, workflowId, () =>
      gateway.start(workflowType, {
        workflowId,
        input: request.input,
        memo: { [FINGERPRINT_MEMO_KEY]: fingerprint },
        idConflictPolicy: 'USE_EXISTING',
        idReusePolicy: 'REJECT_DUPLICATE',
      }),
    );
    runId = started.runId;
  } catch (error) {
    // The run this key made has closed already: answer with it.
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  let existing: WorkflowExecutionDescription;
  try {
    // Not cancelled with the caller: the start has happened, and the answer must say which run it made.
    existing = await gateway.quick(() => gateway.run(workflowId, runId).describe(), { write: true });
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

type WaitCtx = GatewayCtx & Pick<AuthedContext, 'config' | 'signal' | 'draining'>;

/** The bounds of a wait of `waitMs` (capped by MAX_WAIT_MS) that starts now. */
export function waitBounds(ctx: WaitCtx, waitMs: number): WaitBounds {
  return {
    deadline: Date.now() + Math.min(waitMs, ctx.config.MAX_WAIT_MS),
    callerGone: ctx.signal,
    draining: ctx.draining,
  };
}

/** Waits for the run to close within `bounds`: true once closed (completed or not), false when the wait ended first. */
async function waitUntilClosed(run: GatewayRun, bounds: WaitBounds): Promise<boolean> {
  try {
    await run.awaitResult(bounds);
    return true;
  } catch (error) {
    if (error instanceof WorkflowFailedError) return true;
    if (error instanceof WaitEnded) return false;
    throw error;
  }
}

async function outcomeOfClosedRun(
  ctx: Ctx,
  workflowId: string,
  runId: string,
  status: WorkflowStatus,
): Promise<Outcome> {
  const run = temporalGateway(ctx).run(workflowId, runId, { followRuns: false });
  switch (status) {
    case 'COMPLETED':
      return { workflowId, runId, status, result: await run.result() };
    case 'FAILED':
    case 'CANCELLED':
    case 'TERMINATED':
    case 'TIMED_OUT':
      try {
        await run.result();
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
  const handle = temporalGateway(ctx).run(workflowId, runId);
  let description = await handle.describe();
  assertVisible(ctx.caller, workflowId, description);
  const run = { workflowId, runId: description.runId, resultUrl: resultUrlOf(workflowId) };
  try {
    if (statusOf(description) === 'RUNNING' && bounds.deadline > Date.now()) {
      if (!(await waitUntilClosed(handle, bounds))) return { ...run, status: 'RUNNING' };
      description = await handle.describe();
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
  const handle = temporalGateway(ctx).run(workflowId, runId, { followRuns: false });
  try {
    const result: unknown = await handle.awaitResult(waitBounds(ctx, waitMs));
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
  const description = await temporalGateway(ctx).run(workflowId).describe();
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
