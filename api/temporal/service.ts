import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bounded, type WaitBounds } from './bounded-wait';

// The calls the API makes as the service itself, for no one caller: readiness, the task queue's state (backpressure
// and the operators' route) and the shared progress watchers' history polls. Like the gateway's, each is bounded.

const { HistoryEventFilterType } = temporal.api.enums.v1;
const NEVER = new AbortController().signal;

/** Whether Temporal answers within `timeoutMs` (the readiness probe). */
export async function temporalReachable(client: Client, timeoutMs: number): Promise<boolean> {
  try {
    await client.connection.withDeadline(Date.now() + timeoutMs, () =>
      client.connection.workflowService.getSystemInfo({}),
    );
    return true;
  } catch {
    return false;
  }
}

/** Pollers and backlog of one task queue type, with its stats; bounded by `timeoutMs`. */
export function describeTaskQueueType(client: Client, name: string, type: number, timeoutMs: number) {
  const bounds = { deadline: Date.now() + timeoutMs, callerGone: NEVER, draining: NEVER };
  return bounded(client, bounds, () =>
    client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name },
      taskQueueType: type,
      reportStats: true,
    }),
  );
}

/** One long-poll of a workflow's history for new events, from `pageToken`, within `bounds`. */
export function historyPage(client: Client, bounds: WaitBounds, workflowId: string, pageToken: Uint8Array | undefined) {
  return bounded(client, bounds, () =>
    client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId },
      nextPageToken: pageToken,
      waitNewEvent: true,
      skipArchival: true,
      historyEventFilterType: HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT,
    }),
  );
}

/**
 * The memos of the open workflows of `workflowType` (every tenant's), at most `limit`, read from visibility within
 * `timeoutMs` (WaitEnded when it does not answer by then).
 */
export function openWorkflowMemos(
  client: Client,
  workflowType: string,
  { timeoutMs, limit }: { timeoutMs: number; limit: number },
): Promise<Record<string, unknown>[]> {
  const bounds = { deadline: Date.now() + timeoutMs, callerGone: NEVER, draining: NEVER };
  return bounded(client, bounds, async () => {
    const memos: Record<string, unknown>[] = [];
    const query = `WorkflowType = '${workflowType}' AND ExecutionStatus = 'Running'`;
    for await (const execution of client.workflow.list({ query, pageSize: Math.min(limit, 1_000) })) {
      memos.push(execution.memo ?? {});
      if (memos.length >= limit) break;
    }
    return memos;
  });
}

/** The namespace the process's client works in. */
export function namespaceOf(client: Client): string {
  return client.options.namespace;
}

/** Closes the process's connection (the last step of shutdown). */
export function closeClient(client: Client): Promise<void> {
  return client.connection.close();
}
