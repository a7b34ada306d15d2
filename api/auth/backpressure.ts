import type { Client } from '@temporalio/client';
import type { Config } from '../../common/config';
import { ApiError } from '../errors/mapping';
import { describeTaskQueue } from '../operations/execution-operations';

/** Refuses new starts while the task queue's backlog says no worker keeps up. */
export interface Backpressure {
  /** Resolves when a start may go ahead; a 503 with Retry-After while the backlog is over its limit. */
  admitStart(): Promise<void>;
}

interface Reading {
  at: number;
  tasks: number;
  oldestAgeS: number;
}

/**
 * Reads the shared task queue's backlog (the task-queue view) at most once per BACKPRESSURE_CHECK_INTERVAL_MS and
 * answers every start from that reading, so the check costs no call to Temporal per request.
 */
export function createBackpressure(
  client: Client,
  config: Pick<
    Config,
    | 'TASK_QUEUE_POLLER_STALE_MS'
    | 'TEMPORAL_TASK_QUEUE'
    | 'BACKPRESSURE_MAX_BACKLOG_AGE_S'
    | 'BACKPRESSURE_MAX_BACKLOG_COUNT'
    | 'BACKPRESSURE_CHECK_INTERVAL_MS'
  >,
): Backpressure {
  const maxAge = config.BACKPRESSURE_MAX_BACKLOG_AGE_S;
  const maxCount = config.BACKPRESSURE_MAX_BACKLOG_COUNT;
  if (maxAge === undefined && maxCount === undefined) return { admitStart: () => Promise.resolve() };

  const interval = config.BACKPRESSURE_CHECK_INTERVAL_MS;
  const retryAfterS = String(Math.max(1, Math.ceil(interval / 1000)));
  let reading: Reading | undefined;
  let refreshing: Promise<void> | undefined;

  const refresh = async (): Promise<void> => {
    try {
      const view = await describeTaskQueue({ client, config }, config.TEMPORAL_TASK_QUEUE);
      reading = {
        at: Date.now(),
        tasks: view.backlog.workflowTasks + view.backlog.activityTasks,
        oldestAgeS: Math.max(view.backlog.oldestWorkflowTaskAgeSeconds, view.backlog.oldestActivityTaskAgeSeconds),
      };
    } catch {
      // Temporal unreachable: the start itself answers 503; an old reading must not refuse starts for ever.
      reading = undefined;
    } finally {
      refreshing = undefined;
    }
  };

  return {
    async admitStart() {
      if (!reading || Date.now() - reading.at >= interval) await (refreshing ??= refresh());
      if (!reading) return;
      const overCount = maxCount !== undefined && reading.tasks > maxCount;
      const overAge = maxAge !== undefined && reading.oldestAgeS > maxAge;
      if (!overCount && !overAge) return;
      throw new ApiError({
        code: 'SERVICE_UNAVAILABLE',
        message: `The task queue's backlog is over its limit (${reading.tasks} tasks waiting, oldest ${reading.oldestAgeS} s); try again later`,
        details: { backlogTasks: reading.tasks, oldestBacklogAgeSeconds: reading.oldestAgeS },
        headers: { 'retry-after': retryAfterS },
      });
    },
  };
}
