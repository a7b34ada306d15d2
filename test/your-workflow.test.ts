import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { YourWorkflow } from '../workflows';
import { bundleWorkflows, createTestWorker, startTestServer, uniqueName } from './helpers/temporal';

describe('YourWorkflow', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  before(async () => {
    [env, bundle] = await Promise.all([startTestServer(), bundleWorkflows()]);
  });
  after(async () => {
    await env?.teardown();
  });

  it('greets the name through your_activity', async () => {
    const taskQueue = uniqueName('tq');
    const worker = await createTestWorker(env, bundle, { taskQueue });
    const result = await worker.runUntil(
      env.client.workflow.execute<typeof YourWorkflow>('YourWorkflow', {
        taskQueue,
        workflowId: uniqueName('wf'),
        args: ['World'],
      }),
    );
    assert.equal(result, 'Hello, World!');
  });

  it('schedules your_activity with YourParams and a 10 s start-to-close timeout', async () => {
    const taskQueue = uniqueName('tq');
    const seen: unknown[] = [];
    const worker = await createTestWorker(env, bundle, {
      taskQueue,
      activities: {
        async your_activity(params: unknown) {
          seen.push(params);
          return 'stubbed';
        },
      },
    });
    const workflowId = uniqueName('wf');
    const handle = await env.client.workflow.start('YourWorkflow', { taskQueue, workflowId, args: ['Temporal'] });
    assert.equal(await worker.runUntil(handle.result()), 'stubbed');
    assert.deepEqual(seen, [{ greeting: 'Hello', name: 'Temporal' }]);
    const history = await handle.fetchHistory();
    const scheduled = history.events?.find((event) => event.activityTaskScheduledEventAttributes);
    const attributes = scheduled?.activityTaskScheduledEventAttributes;
    assert.equal(attributes?.activityType?.name, 'your_activity');
    assert.equal(Number(attributes?.startToCloseTimeout?.seconds), 10);
  });
});
