import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ActivityTimeoutKind, ActivityTimeoutWorkflowInput } from './activity-timeout-workflow.contract';

// A start-to-close or schedule-to-close timeout is mandatory; schedule-to-start alone is not enough.
const REQUIRED_START_TO_CLOSE_MS = 60_000;

function timeoutOptions(kind: ActivityTimeoutKind, timeoutMs: number): ActivityOptions {
  switch (kind) {
    case 'startToClose':
      return { startToCloseTimeout: timeoutMs };
    case 'scheduleToClose':
      return { scheduleToCloseTimeout: timeoutMs };
    case 'scheduleToStart':
      return { scheduleToStartTimeout: timeoutMs, startToCloseTimeout: REQUIRED_START_TO_CLOSE_MS };
  }
}

/** Runs a slow greeting under the one activity timeout the caller picks, to show what each timeout does. */
export async function activityTimeoutWorkflow(params: ActivityTimeoutWorkflowInput): Promise<string> {
  const { delayed_greeting } = proxyActivities<Activities>({
    ...timeoutOptions(params.timeout, params.timeoutMs),
    taskQueue: params.activityTaskQueue,
    retry: {
      // The contract's 0 means "no limit"; the SDK rejects 0 (the workflow task would fail forever) and means
      // "no limit" by leaving the field unset.
      maximumAttempts: params.maximumAttempts === 0 ? undefined : params.maximumAttempts,
      initialInterval: 100,
      backoffCoefficient: 1,
    },
  });
  return await delayed_greeting({ greeting: 'Hello', name: params.name, delayMs: params.activityDelayMs });
}
