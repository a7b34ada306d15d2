import {
  WithStartWorkflowOperation,
  WorkflowUpdateStage,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
  type WorkflowUpdateHandle,
} from '@temporalio/client';
import type {
  Priority,
  SearchAttributePair,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
} from '@temporalio/common';
import { CALLER_MEMO_KEY, REQUEST_ID_MEMO_KEY } from '../../common/request-context';
import { priorityOf } from '../auth/fairness';
import { callerWorkflowId, storedWorkflowId, tenantStamp, visibilityClausesFor } from '../auth/tenancy';
import type { AuthedContext } from '../context';
import { toApiError } from '../errors/mapping';
import { internalWorkflowTypes } from '../../workflows/contracts';
import { bounded, slicedLongPoll, type WaitBounds } from './bounded-wait';
import { inCallerTerms } from './caller-terms';
import { GatewayCallbackDelivery, type CallbackGatewayCtx } from './callback-gateway';
import {
  createSchedule,
  GatewaySchedule,
  listSchedules,
  scheduleAction,
  type ScheduleActionRequest,
  type ScheduleGatewayCtx,
} from './schedule-gateway';

// The one way the API's operations reach Temporal. Whatever every call must do is done here, so a new operation
// cannot forget it: the caller's workflow IDs are namespaced for its tenant (a run of another tenant answers 404 as
// if it did not exist), every start is stamped (tenant, request id, caller) and admitted by the tenant's running
// cap, and every call is bounded by a deadline (a quick call by QUICK_CALL_MS; a wait by the bounds it is given). Operations never see the client.

/** How long a single call that is not a wait (start, describe, signal) may take before the caller hears 503. */
export const QUICK_CALL_MS = 5_000;
const NEVER = new AbortController().signal;

/** What the gateway needs from the request: the process's client and the caller. */
export type GatewayCtx = Pick<AuthedContext, 'client' | 'caller'> & {
  /** Aborted when the caller goes away: reads are cancelled with it (starts and other writes are not). */
  signal?: AbortSignal;
};
/** What a start needs besides: the request id it stamps, the task queue it starts on and the tenant's running cap. */
export type StartingCtx = GatewayCtx & Pick<AuthedContext, 'requestId' | 'config' | 'security'>;

/**
 * What every start records with the run: the tenant (search attribute and memo, for list filters and by-ID checks),
 * the request id and the caller's name (memo: the worker's log lines for the workflow carry them, the Web UI shows
 * them), and the tenant's fairness key and weight (priority). One place, so that no start path drops the tenant.
 */
export function startStamp(
  ctx: Pick<AuthedContext, 'requestId' | 'caller'>,
  workflowType: string,
): {
  typedSearchAttributes?: SearchAttributePair[];
  memo: Record<string, string>;
  priority?: Priority;
} {
  const tenant = tenantStamp(ctx.caller);
  return {
    typedSearchAttributes: tenant.typedSearchAttributes,
    memo: { ...tenant.memo, [REQUEST_ID_MEMO_KEY]: ctx.requestId, [CALLER_MEMO_KEY]: ctx.caller.name },
    priority: priorityOf(ctx.caller, workflowType),
  };
}

/** What a start asks for beyond the stamp: the caller's workflow ID, the input, policies, extra memo fields. */
export interface StartRequest {
  workflowId: string;
  input: unknown;
  memo?: Record<string, string>;
  idConflictPolicy?: WorkflowIdConflictPolicy;
  idReusePolicy?: WorkflowIdReusePolicy;
}

/** One workflow ID (and optionally one run) of the caller's, as Temporal stores it. */
export class GatewayRun {
  private readonly handle: WorkflowHandle;
  constructor(
    private readonly gateway: TemporalGateway<GatewayCtx>,
    workflowId: string,
    runId?: string,
    options?: { followRuns?: boolean },
  ) {
    this.handle = gateway.ctx.client.workflow.getHandle(gateway.storedId(workflowId), runId, options);
  }
  describe(): Promise<WorkflowExecutionDescription> {
    return this.gateway.quick(() => this.handle.describe());
  }
  /** The result of a run that has closed (it throws WorkflowFailedError for one that did not complete). */
  result(): Promise<unknown> {
    return this.gateway.quick(() => this.handle.result());
  }
  /** Waits for the result within `bounds`, as a sliced long-poll (WaitEnded when the wait ends first). */
  awaitResult(bounds: WaitBounds): Promise<unknown> {
    return this.gateway.inCallerTerms(slicedLongPoll(this.gateway.ctx.client, bounds, () => this.handle.result()));
  }
  async cancel(): Promise<void> {
    await this.gateway.quick(() => this.handle.cancel(), { write: true });
  }
  async terminate(reason: string): Promise<void> {
    await this.gateway.quick(() => this.handle.terminate(reason), { write: true });
  }
  async signal(name: string, args: unknown): Promise<void> {
    await this.gateway.quick(() => this.handle.signal(name, args), { write: true });
  }
  query(name: string): Promise<unknown> {
    return this.gateway.quick(() => this.handle.query(name));
  }
  /** Sends an update and waits (within `bounds`) for a worker to accept it. */
  startUpdate(
    name: string,
    request: { args: unknown; updateId: string },
    bounds: WaitBounds,
  ): Promise<WorkflowUpdateHandle<unknown>> {
    return this.gateway.inCallerTerms(
      bounded(this.gateway.ctx.client, bounds, () =>
        this.handle.startUpdate(name, {
          args: [request.args],
          waitForStage: WorkflowUpdateStage.ACCEPTED,
          updateId: request.updateId,
        }),
      ),
    );
  }
  /** An update sent earlier: its result is awaited with awaitUpdate. */
  update(updateId: string): WorkflowUpdateHandle<unknown> {
    return this.handle.getUpdateHandle(updateId);
  }
}

/** The gateway of one request: built from its context, used by every operation instead of the client. */
export class TemporalGateway<C extends GatewayCtx = GatewayCtx> {
  constructor(readonly ctx: C) {}

  /** The ID Temporal stores for the caller's workflow ID (namespaced by tenant). */
  storedId(workflowId: string): string {
    return storedWorkflowId(this.ctx.caller, workflowId);
  }

  /** A workflow of the caller's; every call on it is namespaced and bounded. */
  run(workflowId: string, runId?: string, options?: { followRuns?: boolean }): GatewayRun {
    return new GatewayRun(this, workflowId, runId, options);
  }

  /**
   * A single call that is not a wait (describe, a closed run's result, a start): bounded by QUICK_CALL_MS; a read is
   * cancelled when its caller goes, a write is not (a write cut in half is a write in doubt). Draining cuts neither.
   */
  quick<T>(fn: () => Promise<T>, { write = false, timeoutMs = QUICK_CALL_MS } = {}): Promise<T> {
    const bounds = {
      deadline: Date.now() + timeoutMs,
      callerGone: (!write && this.ctx.signal) || NEVER,
      draining: NEVER,
    };
    return this.inCallerTerms(bounded(this.ctx.client, bounds, fn));
  }

  /** What a start through this gateway records with the run (startStamp), for a start made by Temporal later. */
  stamp(this: TemporalGateway<StartingCtx>, workflowType: string): ReturnType<typeof startStamp> {
    return startStamp(this.ctx, workflowType);
  }

  /** A schedule of the caller's (api/temporal/schedule-gateway.ts); every call on it is namespaced and bounded. */
  schedule(scheduleId: string): GatewaySchedule {
    return new GatewaySchedule(this, scheduleId);
  }

  /** Creates a schedule under the caller's ID, stamped with its tenant; ScheduleAlreadyRunning when it exists. */
  createSchedule(scheduleId: string, options: Parameters<typeof createSchedule>[2]): Promise<void> {
    return createSchedule(this, scheduleId, options);
  }

  /** The start action of a schedule: the workflow ID namespaced, the start stamped. */
  scheduleAction(this: TemporalGateway<ScheduleGatewayCtx>, request: ScheduleActionRequest) {
    return scheduleAction(this, request);
  }

  /** One page of the caller's tenant's schedules. */
  listSchedules(request: { pageSize: number; nextPageToken?: Uint8Array }) {
    return listSchedules(this, request);
  }

  /** The completion-webhook delivery workflow of one run of the caller's (api/temporal/callback-gateway.ts). */
  callbackDelivery(this: TemporalGateway<CallbackGatewayCtx>, workflowId: string, runId: string) {
    return new GatewayCallbackDelivery(this, workflowId, runId);
  }

  /** Waits for an update's result within `bounds`, as a sliced long-poll. */
  awaitUpdate(handle: WorkflowUpdateHandle<unknown>, bounds: WaitBounds): Promise<unknown> {
    return this.inCallerTerms(slicedLongPoll(this.ctx.client, bounds, () => handle.result()));
  }

  private startOptions(this: TemporalGateway<StartingCtx>, workflowType: string, request: StartRequest) {
    const stamp = startStamp(this.ctx, workflowType);
    return {
      taskQueue: this.ctx.config.TEMPORAL_TASK_QUEUE,
      workflowId: this.storedId(request.workflowId),
      args: [request.input],
      typedSearchAttributes: stamp.typedSearchAttributes,
      memo: { ...stamp.memo, ...request.memo },
      priority: stamp.priority,
      workflowIdConflictPolicy: request.idConflictPolicy,
      workflowIdReusePolicy: request.idReusePolicy,
    };
  }

  /**
   * The tenant's running cap (api/temporal/running-cap.ts), checked before every start of a public workflow type: a
   * start that would open one run too many is a 429 and nothing starts. A start that makes no run passes (an open run
   * holds the ID; with REJECT_DUPLICATE, any run does). The service's own workflows (callback deliveries, link holds)
   * are not counted. A cap that cannot be read in time is Temporal unavailable, never a start in doubt.
   */
  private async admit(this: TemporalGateway<StartingCtx>, workflowType: string, request: StartRequest): Promise<void> {
    if ((internalWorkflowTypes as readonly string[]).includes(workflowType)) return;
    const { caller, security } = this.ctx;
    const closedRunAnswers = request.idReusePolicy === 'REJECT_DUPLICATE';
    await this.quick(() =>
      security.runningCap.admit(caller, workflowType, this.storedId(request.workflowId), { closedRunAnswers }),
    ).catch((error: unknown) => {
      throw toApiError(error);
    });
  }

  /** Starts a workflow by type name on the shared task queue, stamped; returns the run it started. */
  async start(
    this: TemporalGateway<StartingCtx>,
    workflowType: string,
    request: StartRequest,
  ): Promise<{ runId: string }> {
    await this.admit(workflowType, request);
    const options = this.startOptions(workflowType, request);
    const handle = await this.quick(() => this.ctx.client.workflow.start(workflowType, options), { write: true });
    return { runId: handle.firstExecutionRunId };
  }

  /** Starts the workflow if it is not running and signals it, atomically; returns the run it signalled. */
  async signalWithStart(
    this: TemporalGateway<StartingCtx>,
    workflowType: string,
    request: StartRequest & { signalName: string; signalArgs: unknown },
  ): Promise<{ runId: string }> {
    await this.admit(workflowType, request);
    const options = this.startOptions(workflowType, request);
    const handle = await this.quick(
      () =>
        this.ctx.client.workflow.signalWithStart(workflowType, {
          ...options,
          signal: request.signalName,
          signalArgs: [request.signalArgs],
        }),
      { write: true },
    );
    return { runId: handle.signaledRunId };
  }

  /**
   * Starts the workflow if it is not running (USE_EXISTING) and sends it an update; the admission (a worker
   * accepting the update) is bounded by `bounds`, like a plain update's. Returns the update's handle and the run it
   * resolved to.
   */
  async updateWithStart(
    this: TemporalGateway<StartingCtx>,
    workflowType: string,
    request: StartRequest & { updateName: string; updateArgs: unknown; updateId: string },
    bounds: WaitBounds,
  ): Promise<{ update: WorkflowUpdateHandle<unknown>; runId: string }> {
    await this.admit(workflowType, request);
    const options = this.startOptions(workflowType, request);
    const startOperation = new WithStartWorkflowOperation(workflowType, {
      ...options,
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    const update = await this.inCallerTerms(
      bounded(this.ctx.client, bounds, () =>
        this.ctx.client.workflow.startUpdateWithStart(request.updateName, {
          args: [request.updateArgs],
          waitForStage: WorkflowUpdateStage.ACCEPTED,
          updateId: request.updateId,
          startWorkflowOperation: startOperation,
        }),
      ),
    );
    const workflowHandle = await startOperation.workflowHandle();
    // The handle carries the run the start operation resolved to (new or, with USE_EXISTING, the running one).
    const { firstExecutionRunId } = workflowHandle as { firstExecutionRunId?: string };
    const runId = firstExecutionRunId ?? (await this.quick(() => workflowHandle.describe())).runId;
    return { update, runId };
  }

  /** The call's failure, if any, naming the caller's workflow IDs rather than the stored ones (caller-terms.ts). */
  inCallerTerms<T>(call: Promise<T>): Promise<T> {
    return call.catch((error: unknown) => {
      throw inCallerTerms(this.ctx.caller, error);
    });
  }

  /** The workflow ID as the caller knows it, from the ID Temporal stores. */
  callerId(storedId: string): string {
    return callerWorkflowId(this.ctx.caller, storedId);
  }

  /**
   * One page of the visibility list matching `filter`, with the caller's tenant and workflow types added here, on
   * the server, never taken from the request.
   */
  listWorkflows(request: { filter: string; pageSize: number; nextPageToken?: Uint8Array }) {
    const { client } = this.ctx;
    const query = [request.filter, ...visibilityClausesFor(this.ctx.caller)].filter((clause) => clause !== '');
    // A token the server did not make is answered UNKNOWN, which the API's connection does not retry
    // (temporal-client.ts): the caller hears 400 within one round trip.
    return this.quick(() =>
      client.workflowService.listWorkflowExecutions({
        namespace: client.options.namespace,
        query: query.join(' AND '),
        pageSize: request.pageSize,
        nextPageToken: request.nextPageToken,
      }),
    );
  }
}

/** The gateway of a request (or of the service itself, with ANONYMOUS_CALLER: IDs are then used as stored). */
export function temporalGateway<C extends GatewayCtx>(ctx: C): TemporalGateway<C> {
  return new TemporalGateway(ctx);
}
