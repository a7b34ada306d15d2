import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../activities';
import { fakeOrderServices } from '../activities/fakes';
import type { YourWorkflow } from '../workflows';
import { createTestWorker, uniqueName, useTestServer } from './helpers/temporal';

/** Polls `probe` until it returns a value, or fails after `timeoutMs`. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function statusOf(handle: WorkflowHandle): Promise<string | undefined> {
  return (await handle.describe()).status.name;
}

describe('types the worker does not register', { timeout: 60_000 }, () => {
  const server = useTestServer();

  it('an unknown workflow type fails its workflow task, not the workflow', async () => {
    const taskQueue = uniqueName('tq');
    const worker = await createTestWorker(server.env, server.bundle, { taskQueue });
    const handle = await server.env.client.workflow.start('NoSuchWorkflow', {
      taskQueue,
      workflowId: uniqueName('wf'),
    });
    try {
      const failure = await worker.runUntil(
        eventually('WorkflowTaskFailed', async () => {
          const history = await handle.fetchHistory();
          return (
            history.events?.find((event) => event.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes
              ?.failure ?? undefined
          );
        }),
      );
      assert.match(failure.message ?? '', /NoSuchWorkflow/);
      // A failed workflow task is retried (e.g. once a worker that knows the type is deployed); the workflow waits.
      assert.equal(await statusOf(handle), 'RUNNING');
    } finally {
      await handle.terminate('test cleanup');
    }
    assert.equal(await statusOf(handle), 'TERMINATED');
  });

  it('an unregistered activity type fails its attempts and keeps retrying while the workflow runs', async () => {
    const taskQueue = uniqueName('tq');
    const { your_activity: _notRegistered, ...otherActivities } = createActivities(fakeOrderServices());
    const worker = await createTestWorker(server.env, server.bundle, { taskQueue, activities: otherActivities });
    const handle = await server.env.client.workflow.start<typeof YourWorkflow>('YourWorkflow', {
      taskQueue,
      workflowId: uniqueName('wf'),
      args: ['World'],
    });
    try {
      const pending = await worker.runUntil(
        // `attempt` is the next attempt to run: 3 means two attempts already failed and another is scheduled.
        eventually('two failed attempts of your_activity', async () => {
          const activities = (await handle.describe()).raw.pendingActivities ?? [];
          return activities.find((activity) => (activity.attempt ?? 0) >= 3);
        }),
      );
      assert.equal(pending.activityType?.name, 'your_activity');
      assert.match(pending.lastFailure?.message ?? '', /your_activity.*not registered/);
      assert.equal(await statusOf(handle), 'RUNNING');
    } finally {
      await handle.terminate('test cleanup');
    }
  });
});
