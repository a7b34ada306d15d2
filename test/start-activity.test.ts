import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledFailure } from '@temporalio/common';
import { createActivities } from '../activities';
import { fakeOrderServices } from '../activities/fakes';
import type { DelayedGreetingParams, YourParams } from '../activities/greeting-activities';
import type { StartActivityWorkflow } from '../workflows';
import { createTestWorker, executeOnTestWorker, uniqueName, useTestServer } from './helpers/temporal';

describe('StartActivityWorkflow', { timeout: 60_000 }, () => {
  const server = useTestServer();

  it('awaits the started activity and returns both greetings', async () => {
    const result = await executeOnTestWorker<typeof StartActivityWorkflow>(server, 'StartActivityWorkflow', [
      { name: 'World', startedActivityDelayMs: 300, cancelStartedActivity: false },
    ]);
    assert.deepEqual(result, { executed: 'Hello, World!', started: 'Hi, World!', startedActivityCancelled: false });
  });

  it('cancels the started activity, which sees the cancellation', async () => {
    const taskQueue = uniqueName('tq');
    const real = createActivities(fakeOrderServices());
    let markStarted!: () => void;
    const delayedGreetingStarted = new Promise<void>((resolve) => (markStarted = resolve));
    let settle!: (outcome: unknown) => void;
    const delayedGreetingOutcome = new Promise<unknown>((resolve) => (settle = resolve));
    const worker = await createTestWorker(server.env, server.bundle, {
      taskQueue,
      activities: {
        // The real activity, watched: we record how it ended.
        async delayed_greeting(params: DelayedGreetingParams): Promise<string> {
          markStarted();
          try {
            const greeting = await real.delayed_greeting(params);
            settle(greeting);
            return greeting;
          } catch (error) {
            settle(error);
            throw error;
          }
        },
        // Cancel only once the started activity runs, so the cancellation has to reach a running attempt.
        async your_activity(params: YourParams): Promise<string> {
          await delayedGreetingStarted;
          return await real.your_activity(params);
        },
      },
    });
    const workflowId = uniqueName('wf');
    const handle = await server.env.client.workflow.start<typeof StartActivityWorkflow>('StartActivityWorkflow', {
      taskQueue,
      workflowId,
      args: [{ name: 'World', startedActivityDelayMs: 30_000, cancelStartedActivity: true }],
    });
    // Wait for the activity's own outcome too, before the worker shuts down (a shutdown would cancel it as well).
    const [result, outcome] = await worker.runUntil(Promise.all([handle.result(), delayedGreetingOutcome]));
    assert.deepEqual(result, { executed: 'Hello, World!', started: null, startedActivityCancelled: true });

    assert.ok(outcome instanceof CancelledFailure, `expected the activity to be cancelled, it ended with ${outcome}`);
    // TRY_CANCEL (the default): the workflow completes in the same task that requests the cancellation, so the
    // activity's next heartbeat finds the workflow gone and is cancelled as NOT_FOUND (not by a worker shutdown).
    assert.equal(outcome.message, 'NOT_FOUND');

    const history = await handle.fetchHistory();
    const cancelRequested = history.events?.find((event) => event.activityTaskCancelRequestedEventAttributes);
    assert.ok(cancelRequested, 'history has ActivityTaskCancelRequested');
    const scheduledId = cancelRequested.activityTaskCancelRequestedEventAttributes?.scheduledEventId;
    const scheduled = history.events?.find((event) => event.eventId?.toString() === scheduledId?.toString());
    assert.equal(scheduled?.activityTaskScheduledEventAttributes?.activityType?.name, 'delayed_greeting');
  });
});
