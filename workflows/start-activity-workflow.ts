import { CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { StartActivityWorkflowInput, StartActivityWorkflowOutput } from './start-activity-workflow.contract';

const { your_activity, delayed_greeting } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // Heartbeats are how a running activity learns that it was cancelled.
  heartbeatTimeout: '5 seconds',
});

/** Starts one activity, executes another meanwhile, then awaits or cancels the started one. */
export async function startActivityWorkflow(params: StartActivityWorkflowInput): Promise<StartActivityWorkflowOutput> {
  const scope = new CancellationScope();
  // start_activity: scheduling happens now; the promise is the handle we await or cancel later.
  const startedHandle = scope.run(() =>
    delayed_greeting({ greeting: 'Hi', name: params.name, delayMs: params.startedActivityDelayMs }),
  );

  // execute_activity: schedule and wait, while the started activity keeps running.
  const executed = await your_activity({ greeting: 'Hello', name: params.name });

  if (params.cancelStartedActivity) scope.cancel();
  try {
    return { executed, started: await startedHandle, startedActivityCancelled: false };
  } catch (error) {
    if (!params.cancelStartedActivity || !isCancellation(error)) throw error;
    return { executed, started: null, startedActivityCancelled: true };
  }
}
