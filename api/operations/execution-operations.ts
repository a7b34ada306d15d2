import { temporal } from '@temporalio/proto';
import type { AuthedContext, Context } from '../context';
import { QUICK_CALL_MS, temporalGateway, type GatewayCtx } from '../temporal/gateway';
import { describeTaskQueueType } from '../temporal/service';
import { ApiError, pageTokenError } from '../errors/mapping';
import type { ListedWorkflow, Poller, TaskQueueView, WorkflowStatus } from '../schemas';
import { describeWorkflow } from './workflow-operations';

type Ctx = GatewayCtx;
type QueueCtx = Pick<Context, 'client'> & { config: Pick<Context['config'], 'TASK_QUEUE_POLLER_STALE_MS'> };

async function requireRunning(ctx: Ctx, workflowId: string, action: string): Promise<string> {
  const description = await describeWorkflow(ctx, workflowId);
  if (description.status !== 'RUNNING') {
    throw new ApiError({
      code: 'CONFLICT',
      message: `Workflow "${workflowId}" is ${description.status}; there is nothing to ${action}`,
      details: { workflowId, status: description.status, runId: description.runId },
    });
  }
  return description.runId;
}

/** Asks the workflow to cancel: its cancellation handling (compensation included) runs before it closes. */
export async function cancelWorkflow(
  ctx: Ctx,
  workflowId: string,
): Promise<{ workflowId: string; runId: string; status: 'CANCEL_REQUESTED' }> {
  const runId = await requireRunning(ctx, workflowId, 'cancel');
  await temporalGateway(ctx).run(workflowId, runId).cancel();
  return { workflowId, runId, status: 'CANCEL_REQUESTED' };
}

/** Ends the workflow at once, recording the reason; no workflow code runs. */
export async function terminateWorkflow(
  ctx: Ctx,
  workflowId: string,
  reason: string,
): Promise<{ workflowId: string; runId: string; status: 'TERMINATED' }> {
  const runId = await requireRunning(ctx, workflowId, 'terminate');
  await temporalGateway(ctx).run(workflowId, runId).terminate(reason);
  return { workflowId, runId, status: 'TERMINATED' };
}

// Visibility's own names for the statuses this API reports.
const visibilityStatus: Partial<Record<WorkflowStatus, string>> = {
  RUNNING: 'Running',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Canceled',
  TERMINATED: 'Terminated',
  CONTINUED_AS_NEW: 'ContinuedAsNew',
  TIMED_OUT: 'TimedOut',
};

/**
 * Compiles typed filters into a visibility query. Every value comes from a closed set checked by zod
 * (registered workflow types, known statuses), so no client string is ever pasted into the query.
 */
export function visibilityQuery(
  filters: { type?: string; status?: WorkflowStatus },
  knownTypes: readonly string[],
): string {
  const clauses: string[] = [];
  if (filters.type !== undefined) {
    if (!knownTypes.includes(filters.type)) throw new Error(`unregistered workflow type ${filters.type}`);
    clauses.push(`WorkflowType = '${filters.type}'`);
  } else {
    // Only the registered types: the service's own runs (callback deliveries, action-link uses) are not the caller's.
    clauses.push(`WorkflowType IN (${knownTypes.map((type) => `'${type}'`).join(', ')})`);
  }
  if (filters.status !== undefined) {
    const status = visibilityStatus[filters.status];
    if (status === undefined) throw new Error(`status ${filters.status} cannot be listed`);
    clauses.push(`ExecutionStatus = '${status}'`);
  }
  return clauses.join(' AND ');
}

const STATUS_PREFIX = 'WORKFLOW_EXECUTION_STATUS_';

function isoOf(
  ts: { seconds?: { toString(): string } | null; nanos?: number | null } | null | undefined,
): string | null {
  if (!ts?.seconds) return null;
  return new Date(Number(ts.seconds.toString()) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

/**
 * One page of workflows matching the filters, newest first, with the token of the next page (null on the last).
 * The gateway adds the caller's tenant and workflow types to the query.
 */
export async function listWorkflows(
  ctx: Ctx,
  request: { filter: string; pageSize: number; pageToken?: string },
): Promise<{ workflows: ListedWorkflow[]; nextPageToken: string | null }> {
  const gateway = temporalGateway(ctx);
  const response = await gateway
    .listWorkflows({
      filter: request.filter,
      pageSize: request.pageSize,
      nextPageToken: request.pageToken ? Buffer.from(request.pageToken, 'base64url') : undefined,
    })
    .catch((error: unknown) => {
      throw request.pageToken === undefined ? error : pageTokenError(error);
    });
  const workflows = response.executions.map((info): ListedWorkflow => {
    const statusName = (temporal.api.enums.v1.WorkflowExecutionStatus[info.status ?? 0] ?? '')
      .replace(STATUS_PREFIX, '')
      .replace('CANCELED', 'CANCELLED');
    return {
      workflowId: gateway.callerId(info.execution?.workflowId ?? ''),
      runId: info.execution?.runId ?? '',
      type: info.type?.name ?? '',
      status: (visibilityStatus[statusName as WorkflowStatus] ? statusName : 'UNKNOWN') as WorkflowStatus,
      taskQueue: info.taskQueue ?? '',
      startTime: isoOf(info.startTime),
      closeTime: isoOf(info.closeTime),
    };
  });
  const token =
    response.nextPageToken && response.nextPageToken.length > 0
      ? Buffer.from(response.nextPageToken).toString('base64url')
      : null;
  return { workflows, nextPageToken: token };
}

const { TaskQueueType } = temporal.api.enums.v1;

async function describeQueue(ctx: QueueCtx, name: string, type: number) {
  const staleBefore = Date.now() - ctx.config.TASK_QUEUE_POLLER_STALE_MS;
  const response = await describeTaskQueueType(ctx.client, name, type, QUICK_CALL_MS);
  return {
    pollers: response.pollers.map((poller): Poller => {
      const lastAccessTime = isoOf(poller.lastAccessTime);
      return {
        identity: poller.identity ?? '',
        lastAccessTime,
        // A live worker re-polls at least once a minute (the server's long-poll timeout); one silent for longer is gone.
        stale: lastAccessTime === null || Date.parse(lastAccessTime) < staleBefore,
      };
    }),
    backlog: Number(response.stats?.approximateBacklogCount?.toString() ?? 0),
    backlogAgeSeconds: Number(response.stats?.approximateBacklogAge?.seconds?.toString() ?? 0),
  };
}

/**
 * A poller's identity (`pid@host` by default) names the worker machines: an operator's to know, not a caller's limited
 * to a tenant or to some types, who sees each poller as `worker-<n>`.
 */
function withoutIdentities(pollers: Poller[]): Poller[] {
  return pollers.map((poller, index) => ({ ...poller, identity: `worker-${index + 1}` }));
}

/** Who polls a task queue and how much waits in it: what an autoscaler needs to size the worker fleet. */
export async function describeTaskQueue(
  ctx: QueueCtx & { caller?: Pick<AuthedContext['caller'], 'tenant' | 'workflowTypes'> },
  taskQueue: string,
): Promise<TaskQueueView> {
  const [workflow, activity] = await Promise.all([
    describeQueue(ctx, taskQueue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
    describeQueue(ctx, taskQueue, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
  ]);
  const limited = ctx.caller?.tenant !== undefined || ctx.caller?.workflowTypes !== undefined;
  return {
    taskQueue,
    pollerStaleAfterSeconds: ctx.config.TASK_QUEUE_POLLER_STALE_MS / 1000,
    workflowPollers: limited ? withoutIdentities(workflow.pollers) : workflow.pollers,
    activityPollers: limited ? withoutIdentities(activity.pollers) : activity.pollers,
    backlog: {
      workflowTasks: workflow.backlog,
      activityTasks: activity.backlog,
      oldestWorkflowTaskAgeSeconds: workflow.backlogAgeSeconds,
      oldestActivityTaskAgeSeconds: activity.backlogAgeSeconds,
    },
  };
}
