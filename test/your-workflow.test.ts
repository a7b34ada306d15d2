import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { YourWorkflow } from '../workflows';
import { createTestWorker, executeOnTestWorker, uniqueName, useTestServer } from './helpers/temporal';

describe('YourWorkflow', () => {
  const server = useTestServer();

  it('greets the name through your_activity', async () => {
    const result = await executeOnTestWorker<typeof YourWorkflow>(server, 'YourWorkflow', ['World']);
    assert.equal(result, 'Hello, World!');
  });

  it('schedules your_activity with YourParams and a 10 s start-to-close timeout', async () => {
    const taskQueue = uniqueName('tq');
    const seen: unknown[] = [];
    const worker = await createTestWorker(server.env, server.bundle, {
      taskQueue,
      activities: {
        async your_activity(params: unknown) {
          seen.push(params);
          return 'stubbed';
        },
      },
    });
    const workflowId = uniqueName('wf');
    const handle = await server.env.client.workflow.start('YourWorkflow', {
      taskQueue,
      workflowId,
      args: ['Temporal'],
    });
    assert.equal(await worker.runUntil(handle.result()), 'stubbed');
    assert.deepEqual(seen, [{ greeting: 'Hello', name: 'Temporal' }]);
    const history = await handle.fetchHistory();
    const scheduled = history.events?.find((event) => event.activityTaskScheduledEventAttributes);
    const attributes = scheduled?.activityTaskScheduledEventAttributes;
    assert.equal(attributes?.activityType?.name, 'your_activity');
    assert.equal(Number(attributes?.startToCloseTimeout?.seconds), 10);
  });
});
