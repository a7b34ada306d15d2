import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { AppRouter } from '../api/router';
import { listen, withApi, workflowExists, type TestServer, type ApiUnderTest, useTestServer } from './helpers/api';
import { uniqueName } from './helpers/temporal';
import { rejection } from './helpers/trpc';

type Trpc = ReturnType<typeof createTRPCClient<AppRouter>>;

/** Listens the app on a free port and hands `fn` a typed tRPC client of it. */
function withTrpc(server: TestServer, fn: (trpc: Trpc, api: ApiUnderTest) => Promise<void>): Promise<void> {
  return withApi(server, async (api) => {
    const http = await listen(api.app);
    try {
      const trpc = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${http.baseUrl}/trpc` })] });
      await fn(trpc, api);
    } finally {
      await http.close();
    }
  });
}

describe('typed tRPC client over HTTP', () => {
  const server = useTestServer();

  it('starts a workflow, then reads its result and description', () =>
    withTrpc(server, async (trpc, { taskQueue }) => {
      const started = await trpc.workflows.YourWorkflow.start.mutate({ input: 'World' });
      assert.match(started.workflowId, /^YourWorkflow-/);

      const outcome = await trpc.executions.result.query({ workflowId: started.workflowId, waitMs: 5000 });
      assert.deepEqual(outcome, {
        workflowId: started.workflowId,
        runId: started.runId,
        status: 'COMPLETED',
        result: 'Hello, World!',
      });

      const description = await trpc.executions.describe.query({ workflowId: started.workflowId });
      assert.equal(description.type, 'YourWorkflow');
      assert.equal(description.status, 'COMPLETED');
      assert.equal(description.taskQueue, taskQueue);
      assert.equal(description.runId, started.runId);
    }));

  it('executes a workflow and gets its typed result', () =>
    withTrpc(server, async (trpc) => {
      const outcome = await trpc.workflows.StartActivityWorkflow.execute.mutate({
        input: { name: 'Typed', startedActivityDelayMs: 0 },
      });
      assert.equal(outcome.status, 'COMPLETED');
      // Narrowed by status, the result has the contract's output type: these lines would not compile otherwise.
      if (outcome.status === 'COMPLETED') {
        const executed: string = outcome.result.executed;
        const started: string | null = outcome.result.started;
        assert.equal(executed, 'Hello, Typed!');
        assert.equal(started, 'Hi, Typed!');
      }
    }));

  it('reports RUNNING when execute outlasts waitMs', () =>
    withTrpc(server, async (trpc) => {
      const outcome = await trpc.workflows.StartActivityWorkflow.execute.mutate({
        input: { name: 'Slow', startedActivityDelayMs: 3000 },
        waitMs: 200,
      });
      assert.equal(outcome.status, 'RUNNING');
      if (outcome.status === 'RUNNING') assert.equal(outcome.resultUrl, `/api/workflows/${outcome.workflowId}/result`);
    }));

  it('answers CONFLICT (409) with the running run when the ID is taken', () =>
    withTrpc(server, async (trpc, { client }) => {
      const workflowId = uniqueName('trpc-taken');
      const first = await trpc.workflows.StartActivityWorkflow.start.mutate({
        workflowId,
        input: { name: 'Long', startedActivityDelayMs: 60_000 },
      });
      try {
        const error = await rejection(trpc.workflows.YourWorkflow.start.mutate({ workflowId, input: 'World' }));
        assert.equal(error.data?.code, 'CONFLICT');
        assert.equal(error.data?.httpStatus, 409);
        assert.equal(error.data?.details?.existingRunId, first.runId);
        assert.equal((await client.workflow.getHandle(workflowId).describe()).runId, first.runId);
      } finally {
        await client.workflow.getHandle(workflowId).terminate('test over');
      }
    }));

  it('answers NOT_FOUND (404) for an unknown workflow ID', () =>
    withTrpc(server, async (trpc) => {
      const workflowId = uniqueName('trpc-missing');
      for (const call of [
        trpc.executions.describe.query({ workflowId }),
        trpc.executions.result.query({ workflowId }),
      ]) {
        const error = await rejection(call);
        assert.equal(error.data?.code, 'NOT_FOUND');
        assert.equal(error.data?.httpStatus, 404);
        assert.equal(typeof error.data?.requestId, 'string');
      }
    }));

  it('rejects an input of the wrong type at compile time and with BAD_REQUEST (400) at run time', () =>
    withTrpc(server, async (trpc, { client }) => {
      const workflowId = uniqueName('trpc-invalid');
      // @ts-expect-error YourWorkflow's input is a string: `npm run typecheck` fails if the client accepted 42.
      const error = await rejection(trpc.workflows.YourWorkflow.start.mutate({ input: 42, workflowId }));
      assert.equal(error.data?.code, 'BAD_REQUEST');
      assert.equal(error.data?.httpStatus, 400);
      assert.deepEqual(
        error.data?.fieldErrors?.map((fieldError) => fieldError.path),
        ['input'],
      );
      assert.equal((error.data as { stack?: unknown } | undefined)?.stack, undefined, 'stack sent to the client');
      assert.equal(await workflowExists(client, workflowId), false);
    }));
});
