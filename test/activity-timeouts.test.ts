import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, TimeoutFailure, type TimeoutType } from '@temporalio/common';
import type { DelayedGreetingParams } from '../activities/greeting-activities';
import type { ActivityTimeoutWorkflow } from '../workflows';
import type { ActivityTimeoutWorkflowInput } from '../workflows/activity-timeout-workflow.contract';
import { createTestWorker, uniqueName, useTestServer } from './helpers/temporal';

/** Walks WorkflowFailedError → ActivityFailure → TimeoutFailure and returns the timeout failure. */
function timeoutFailureOf(error: unknown): TimeoutFailure {
  assert.ok(error instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(error)}`);
  assert.ok(error.cause instanceof ActivityFailure, `expected ActivityFailure, got ${String(error.cause)}`);
  assert.equal(error.cause.activityType, 'delayed_greeting');
  assert.ok(error.cause.cause instanceof TimeoutFailure, `expected TimeoutFailure, got ${String(error.cause.cause)}`);
  return error.cause.cause;
}

// A stuck workflow fails the file instead of hanging it.
describe('ActivityTimeoutWorkflow', { timeout: 60_000 }, () => {
  const server = useTestServer();

  async function runToFailure(
    input: ActivityTimeoutWorkflowInput,
    activities?: Record<string, (params: DelayedGreetingParams) => Promise<string>>,
  ): Promise<{ timeout: TimeoutFailure; workflowId: string }> {
    const taskQueue = uniqueName('tq');
    const workflowId = uniqueName('wf');
    const worker = await createTestWorker(server.env, server.bundle, {
      taskQueue,
      ...(activities ? { activities } : {}),
    });
    const outcome = await worker.runUntil(
      server.env.client.workflow
        .execute<typeof ActivityTimeoutWorkflow>('ActivityTimeoutWorkflow', { taskQueue, workflowId, args: [input] })
        .then(
          (result) => assert.fail(`expected the workflow to fail, it returned ${result}`),
          (error: unknown) => error,
        ),
    );
    return { timeout: timeoutFailureOf(outcome), workflowId };
  }

  it('returns the greeting when the activity finishes inside each timeout', async () => {
    const taskQueue = uniqueName('tq');
    const worker = await createTestWorker(server.env, server.bundle, { taskQueue });
    const kinds = ['startToClose', 'scheduleToClose', 'scheduleToStart'] as const;
    const results = await worker.runUntil(
      Promise.all(
        kinds.map((timeout) =>
          server.env.client.workflow.execute<typeof ActivityTimeoutWorkflow>('ActivityTimeoutWorkflow', {
            taskQueue,
            workflowId: uniqueName(`wf-${timeout}`),
            args: [{ name: timeout, timeout, timeoutMs: 5000, activityDelayMs: 100, maximumAttempts: 1 }],
          }),
        ),
      ),
    );
    assert.deepEqual(results, ['Hello, startToClose!', 'Hello, scheduleToClose!', 'Hello, scheduleToStart!']);
  });

  it('fails with START_TO_CLOSE when one attempt runs longer than startToClose', async () => {
    const { timeout } = await runToFailure({
      name: 'World',
      timeout: 'startToClose',
      timeoutMs: 1000,
      activityDelayMs: 5000,
      maximumAttempts: 1,
    });
    assert.equal(timeout.timeoutType, 'START_TO_CLOSE' satisfies TimeoutType);
  });

  it('fails with SCHEDULE_TO_CLOSE once retries used up the whole budget', async () => {
    const attempts: number[] = [];
    // The first attempt fails fast and is retried (the server spaces retries about a second apart, whatever the
    // initial interval); the second hangs until the budget is gone.
    const delayed_greeting = async (): Promise<string> => {
      const { attempt } = Context.current().info;
      attempts.push(attempt);
      if (attempt < 2) throw new Error(`transient failure on attempt ${attempt}`);
      await Context.current().sleep(30_000);
      return 'too late';
    };
    const { timeout, workflowId } = await runToFailure(
      { name: 'World', timeout: 'scheduleToClose', timeoutMs: 3000, activityDelayMs: 0, maximumAttempts: 0 },
      { delayed_greeting },
    );
    assert.equal(timeout.timeoutType, 'SCHEDULE_TO_CLOSE' satisfies TimeoutType);
    assert.deepEqual(attempts, [1, 2]);

    const history = await server.env.client.workflow.getHandle(workflowId).fetchHistory();
    const started = history.events?.filter((event) => event.activityTaskStartedEventAttributes) ?? [];
    assert.equal(started.length, 1, 'the server records only the last attempt as started');
    assert.equal(started[0]?.activityTaskStartedEventAttributes?.attempt, 2);
    const timedOut = history.events?.find((event) => event.activityTaskTimedOutEventAttributes);
    assert.match(
      timedOut?.activityTaskTimedOutEventAttributes?.failure?.cause?.message ?? '',
      /transient failure on attempt 1/,
      'the timeout carries the last attempt failure as its cause',
    );
  });

  it('fails with SCHEDULE_TO_START when no worker polls the activity task queue', async () => {
    const { timeout, workflowId } = await runToFailure({
      name: 'World',
      timeout: 'scheduleToStart',
      timeoutMs: 1000,
      activityDelayMs: 0,
      maximumAttempts: 1,
      activityTaskQueue: uniqueName('nobody-polls'),
    });
    assert.equal(timeout.timeoutType, 'SCHEDULE_TO_START' satisfies TimeoutType);
    const history = await server.env.client.workflow.getHandle(workflowId).fetchHistory();
    assert.equal(
      history.events?.some((event) => event.activityTaskStartedEventAttributes),
      false,
      'the activity never started',
    );
  });
});
