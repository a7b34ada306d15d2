import { randomUUID } from 'node:crypto';
import type { WorkflowUpdateHandle } from '@temporalio/client';
import { checkExistingRun } from '../auth/existing-run';
import { assertMayStart } from '../auth/tenancy';
import { WaitEnded } from '../temporal/bounded-wait';
import { temporalGateway, type GatewayCtx, type StartingCtx } from '../temporal/gateway';
import type { AuthedContext } from '../context';
import { ApiError, isConnectionFailure, updateInDoubt, withKnownRun } from '../errors/mapping';
import { resultUrlOf, updateResultUrlOf } from '../http/rest-paths';
import type { UpdateOutcome } from '../schemas';
import { describeWorkflow, runningRun, waitBounds } from './workflow-operations';

type Ctx = GatewayCtx & Pick<AuthedContext, 'config' | 'signal' | 'draining'>;
type StartCtx = Ctx & StartingCtx & Pick<AuthedContext, 'security'>;

/** Refuses a message to a workflow of another type (its handler does not exist) or, when asked, to a closed one. */
export async function requireWorkflow(
  ctx: Ctx,
  workflowId: string,
  workflowType: string,
  mustBeRunning: boolean,
): Promise<void> {
  const description = await describeWorkflow(ctx, workflowId);
  if (description.type !== workflowType) {
    throw new ApiError({
      code: 'BAD_REQUEST',
      message: `Workflow "${workflowId}" is a ${description.type}, not a ${workflowType}`,
      details: { workflowId, workflowType: description.type },
    });
  }
  if (mustBeRunning && description.status !== 'RUNNING') {
    throw new ApiError({
      code: 'CONFLICT',
      message: `Workflow "${workflowId}" is ${description.status}; it no longer accepts messages`,
      details: { workflowId, status: description.status },
    });
  }
}

/** Sends a signal to a running workflow of the given type; Temporal records it before this returns. */
export async function sendSignal(
  ctx: Ctx,
  workflowType: string,
  workflowId: string,
  name: string,
  args: unknown,
  // Checks of the signal's content, made once the caller is known to see the run (a 404 comes first).
  checkArgs: () => void = () => undefined,
): Promise<void> {
  await requireWorkflow(ctx, workflowId, workflowType, true);
  checkArgs();
  await temporalGateway(ctx).run(workflowId).signal(name, args);
}

/** Asks a workflow a query; closed workflows answer too (a worker replays them). */
export async function runQuery(ctx: Ctx, workflowType: string, workflowId: string, name: string): Promise<unknown> {
  await requireWorkflow(ctx, workflowId, workflowType, false);
  // Rejected (closed) and unregistered queries are mapped in errors.ts.
  return temporalGateway(ctx).run(workflowId).query(name);
}

/** Waits up to `waitMs` (capped) for an accepted update's result. */
export async function awaitUpdate(
  ctx: Ctx,
  workflowId: string,
  handle: WorkflowUpdateHandle<unknown>,
  waitMs: number,
): Promise<UpdateOutcome> {
  try {
    const result = await temporalGateway(ctx).awaitUpdate(handle, waitBounds(ctx, waitMs));
    return { updateId: handle.updateId, status: 'COMPLETED', result };
  } catch (error) {
    // A failed update (WorkflowUpdateFailedError) is mapped to 422 in errors.ts.
    if (error instanceof WaitEnded)
      return {
        updateId: handle.updateId,
        status: 'ACCEPTED',
        resultUrl: updateResultUrlOf(workflowId, handle.updateId),
      };
    throw error;
  }
}

/**
 * What a failed update admission answers: a wait cut short or a lost connection leaves the update in doubt (Temporal may
 * have admitted it), named with where to read its result; any other error as it is.
 */
function admissionError(error: unknown, workflowId: string, updateId: string): unknown {
  if (error instanceof WaitEnded || isConnectionFailure(error))
    return updateInDoubt(error, { workflowId, updateId, resultUrl: updateResultUrlOf(workflowId, updateId) });
  return error;
}

/** Runs an update: the validator's rejection is a 422 at once; an accepted update is awaited for at most `waitMs`. */
export async function runUpdate(
  ctx: Ctx,
  request: { workflowType: string; workflowId: string; name: string; args: unknown; updateId?: string; waitMs: number },
): Promise<UpdateOutcome> {
  await requireWorkflow(ctx, request.workflowId, request.workflowType, true);
  let handle: WorkflowUpdateHandle<unknown>;
  // Named here, not by the SDK, so that an answer cut short by the wait's deadline can still say which update it was.
  const updateId = request.updateId ?? randomUUID();
  const bounds = waitBounds(ctx, request.waitMs);
  try {
    // Admission waits for a worker to accept the update: bounded like any wait (no worker, no answer, otherwise).
    handle = await temporalGateway(ctx)
      .run(request.workflowId)
      .startUpdate(request.name, { args: request.args, updateId }, bounds);
  } catch (error) {
    // A rejected update (WorkflowUpdateFailedError) is mapped to 422 in errors.ts.
    throw admissionError(error, request.workflowId, updateId);
  }
  return awaitUpdate(ctx, request.workflowId, handle, Math.max(0, bounds.deadline - Date.now()));
}

/** Fetches the result of an update started earlier (the resultUrl of a 202). */
export async function updateResult(
  ctx: Ctx,
  workflowId: string,
  updateId: string,
  waitMs: number,
): Promise<UpdateOutcome> {
  await describeWorkflow(ctx, workflowId); // 404 for an unknown workflow
  const handle = temporalGateway(ctx).run(workflowId).update(updateId);
  return awaitUpdate(ctx, workflowId, handle, waitMs);
}

/**
 * A with-start call onto a running run is a signal or an update to it: the caller must be able to send it directly
 * (see the run, the same type, workflows:signal). Checked just before the call (Temporal has no with-start that
 * refuses an open run), so only a run started by another caller in that instant escapes the check.
 */
async function mayMessageExisting(ctx: Ctx, workflowType: string, workflowId: string, action: string): Promise<void> {
  const existing = await runningRun(ctx, workflowId);
  if (existing)
    checkExistingRun(ctx.caller, workflowType, workflowId, existing, {
      action,
      scope: 'workflows:signal',
      sameType: true,
    });
}

/**
 * What a signal- or update-with-start must pass before Temporal hears of it: the caller may start the type and may
 * send the message to a run already there (the gateway applies the running cap to the start).
 */
async function admitWithStart(ctx: StartCtx, workflowType: string, workflowId: string, action: string): Promise<void> {
  assertMayStart(ctx.caller, workflowType);
  await mayMessageExisting(ctx, workflowType, workflowId, action);
}

/** Starts the workflow if it is not running and signals it, atomically. */
export async function signalWithStart(
  ctx: StartCtx,
  request: { workflowType: string; workflowId: string; input: unknown; signalName: string; signalArgs: unknown },
): Promise<{ workflowId: string; runId: string }> {
  await admitWithStart(ctx, request.workflowType, request.workflowId, 'signal');
  const { runId } = await temporalGateway(ctx).signalWithStart(request.workflowType, request);
  return { workflowId: request.workflowId, runId };
}

/**
 * Starts the workflow if it is not running and sends it an update, answering with the update's result:
 * "early return", the caller hears back at a milestone while the workflow goes on.
 */
export async function updateWithStart(
  ctx: StartCtx,
  request: {
    workflowType: string;
    workflowId: string;
    input: unknown;
    updateName: string;
    updateArgs: unknown;
    updateId?: string;
    waitMs: number;
  },
): Promise<UpdateOutcome & { workflowId: string; runId: string }> {
  await admitWithStart(ctx, request.workflowType, request.workflowId, 'update');
  // Named here, as for a plain update, so that an answer cut short by the wait can still say which update it was.
  const updateId = request.updateId ?? randomUUID();
  const bounds = waitBounds(ctx, request.waitMs);
  let started: { update: WorkflowUpdateHandle<unknown>; runId: string };
  try {
    // Bounded like a plain update's admission: with no worker to accept the update, the wait ends at waitMs.
    started = await temporalGateway(ctx).updateWithStart(request.workflowType, { ...request, updateId }, bounds);
  } catch (error) {
    throw admissionError(error, request.workflowId, updateId);
  }
  const { update: handle, runId } = started;
  try {
    const outcome = await awaitUpdate(ctx, request.workflowId, handle, Math.max(0, bounds.deadline - Date.now()));
    return { ...outcome, workflowId: request.workflowId, runId };
  } catch (error) {
    // The run exists whatever the update did (a validator's rejection does not undo the start): the answer names it.
    throw withKnownRun(error, { workflowId: request.workflowId, runId, resultUrl: resultUrlOf(request.workflowId) });
  }
}
