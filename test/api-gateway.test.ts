import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Client,
  Connection,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { z } from 'zod';
import { SCOPES } from '../api/auth/scopes';
import type { Caller } from '../api/auth/caller';
import { createSecurityServices } from '../api/auth/security-services';
import type { AuthedContext, Context } from '../api/context';
import { toApiError } from '../api/errors/mapping';
import { createApiMetrics } from '../api/metrics';
import { WaitEnded } from '../api/temporal/bounded-wait';
import { QUICK_CALL_MS, temporalGateway } from '../api/temporal/gateway';
import { apiConnectionOptions } from '../api/temporal/temporal-client';
import { createCallerFactory, protectedProcedure, router } from '../api/trpc';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { TENANT_SEARCH_ATTRIBUTE } from '../common/search-attributes';
import { useTestServer } from './helpers/api';
import { startBlackHole } from './helpers/tcp-proxy';
import { uniqueName } from './helpers/temporal';

// Operations written here, in the test, as a newcomer would add one: they know nothing of tenants or deadlines and
// reach Temporal only through the gateway. The tenant rules and the start stamp must hold for them by construction.
const newcomerRouter = router({
  start: protectedProcedure
    .meta({ scope: 'workflows:start' })
    .input(z.object({ workflowId: z.string() }))
    .mutation(({ ctx, input }) =>
      temporalGateway(ctx).start('YourWorkflow', { workflowId: input.workflowId, input: 'gateway' }),
    ),
  peek: protectedProcedure
    .meta({ scope: 'workflows:read' })
    .input(z.object({ workflowId: z.string() }))
    .query(async ({ ctx, input }) => (await temporalGateway(ctx).run(input.workflowId).describe()).status.name),
  stop: protectedProcedure
    .meta({ scope: 'workflows:terminate' })
    .input(z.object({ workflowId: z.string() }))
    .mutation(({ ctx, input }) => temporalGateway(ctx).run(input.workflowId).terminate('newcomer')),
});

function tenantCaller(tenant: string): Caller {
  return { kind: 'api-key', name: `${tenant}-key`, scopes: SCOPES, tenant };
}

function contextFor(client: Client, caller: Caller, requestId: string, env: Record<string, string> = {}): Context {
  const config = loadConfig({ TEMPORAL_TASK_QUEUE: uniqueName('gateway-tq'), LOG_LEVEL: 'silent', ...env });
  const security = createSecurityServices(client, config);
  return {
    client,
    config,
    logger: createLogger('test', 'silent'),
    draining: new AbortController().signal,
    requestId,
    idempotencyKey: undefined,
    signal: new AbortController().signal,
    response: {},
    security,
    authenticate: () => Promise.resolve(caller),
    clientIp: '127.0.0.1',
    responseHeaders: {},
    metrics: createApiMetrics(),
    route: { procedures: [] },
  };
}

/** A request's context with its caller known (what protected procedures get), optionally with its own signal. */
function authedFor(client: Client, caller: Caller, requestId: string, signal?: AbortSignal): AuthedContext {
  const ctx = contextFor(client, caller, requestId);
  return { ...ctx, caller, signal: signal ?? ctx.signal };
}

describe('the gateway to Temporal', () => {
  const server = useTestServer();
  const call = createCallerFactory(newcomerRouter);

  it("gives a new operation the tenant rules: another tenant's call answers 404, the start is stamped", async () => {
    const client = server.env.client;
    const globex = call(contextFor(client, tenantCaller('globex'), 'req-globex'));
    const acme = call(contextFor(client, tenantCaller('acme'), 'req-acme'));
    const workflowId = uniqueName('newcomer');

    await globex.start({ workflowId });
    assert.equal(await globex.peek({ workflowId }), 'RUNNING');
    await assert.rejects(acme.peek({ workflowId }), { code: 'NOT_FOUND' });
    await assert.rejects(acme.stop({ workflowId }), { code: 'NOT_FOUND' });

    // Stored under the tenant's namespaced ID, stamped with its tenant, request id and caller.
    const stored = await client.workflow.getHandle(`globex~${workflowId}`).describe();
    assert.equal(stored.status.name, 'RUNNING');
    assert.equal(stored.memo?.tenant, 'globex');
    assert.equal(stored.memo?.requestId, 'req-globex');
    assert.equal(stored.memo?.caller, 'globex-key');
    assert.deepEqual(stored.searchAttributes[TENANT_SEARCH_ATTRIBUTE], ['globex']);
    await globex.stop({ workflowId });
  });

  it("gives a new operation's starts the tenant's running cap: one run too many is a 429, nothing started", async () => {
    const client = server.env.client;
    const tenant = uniqueName('capped');
    const caller: Caller = { ...tenantCaller(tenant), capacity: { maxRunning: 1 } };
    // One reading of the open runs serves both starts (no worker: the first run stays open).
    const capped = call(contextFor(client, caller, 'req-capped', { RUNNING_CAP_CACHE_MS: '60000' }));
    const [first, second] = [uniqueName('newcomer-capped'), uniqueName('newcomer-capped')];
    await capped.start({ workflowId: first });
    await assert.rejects(capped.start({ workflowId: second }), (error: unknown) => {
      const mapped = toApiError(error);
      assert.equal(mapped.code, 'TOO_MANY_REQUESTS');
      assert.match(mapped.message, /runs of YourWorkflow are open for this tenant/);
      return true;
    });
    await assert.rejects(client.workflow.getHandle(`${tenant}~${second}`).describe(), WorkflowNotFoundError);
    await capped.stop({ workflowId: first });
  });

  it("namespaces schedules by tenant, stamps their action, and names the caller's ID in their errors", async () => {
    const client = server.env.client;
    const globex = temporalGateway(authedFor(client, tenantCaller('globex'), 'req-globex'));
    const acme = temporalGateway(authedFor(client, tenantCaller('acme'), 'req-acme'));
    const scheduleId = uniqueName('gateway-schedule');
    const options = {
      spec: { intervals: [{ every: '1 hour' }] },
      action: globex.scheduleAction({ workflowType: 'YourWorkflow', workflowId: scheduleId, input: 'gateway' }),
      state: { paused: true },
    };
    await globex.createSchedule(scheduleId, options);
    try {
      const stored = await client.schedule.getHandle(`globex~${scheduleId}`).describe();
      assert.equal(stored.memo?.tenant, 'globex');
      assert.equal(stored.action.workflowId, `globex~${scheduleId}`);
      assert.equal(stored.action.memo?.requestId, 'req-globex');
      assert.equal((await globex.schedule(scheduleId).describe()).scheduleId, `globex~${scheduleId}`);

      // Another tenant's schedule does not exist for acme; the errors name the ID the caller knows.
      const notFound = await acme
        .schedule(scheduleId)
        .describe()
        .catch((error: unknown) => error);
      assert.ok(notFound instanceof ScheduleNotFoundError);
      assert.equal(notFound.scheduleId, scheduleId);
      const mapped = toApiError(notFound);
      assert.equal(mapped.code, 'NOT_FOUND');
      assert.equal(mapped.message, `No schedule with ID "${scheduleId}"`);
      const exists = await globex.createSchedule(scheduleId, options).catch((error: unknown) => error);
      assert.ok(exists instanceof ScheduleAlreadyRunning);
      assert.equal(exists.scheduleId, scheduleId);
      assert.equal(toApiError(exists).code, 'CONFLICT');
      assert.equal(toApiError(exists).message, `A schedule with ID "${scheduleId}" already exists`);
    } finally {
      await client.schedule.getHandle(`globex~${scheduleId}`).delete();
    }
  });

  it('bounds schedule and callback calls too; a read ends when its caller goes, a write is not cut short', async () => {
    const hole = await startBlackHole();
    const connection = Connection.lazy(apiConnectionOptions({ address: hole.address }));
    try {
      const client = new Client({ connection });
      const gone = new AbortController();
      gone.abort();
      const gateway = temporalGateway(authedFor(client, tenantCaller('acme'), 'req-hole', gone.signal));
      const id = uniqueName('hole');
      const reasonOf = (call: Promise<unknown>) =>
        call.then(
          () => assert.fail('a call to a server that never answers succeeded'),
          (error: unknown) => (error instanceof WaitEnded ? error.reason : error),
        );
      // Reads of a caller that went away end at once.
      assert.equal(await reasonOf(gateway.schedule(id).describe()), 'caller-gone');
      assert.equal(await reasonOf(gateway.listSchedules({ pageSize: 10 })), 'caller-gone');
      assert.equal(await reasonOf(gateway.callbackDelivery(id, 'run').describe()), 'caller-gone');
      // Writes carry on to the deadline: a write cut in half is a write in doubt.
      const started = Date.now();
      const writes = await Promise.all([
        reasonOf(gateway.schedule(id).trigger()),
        reasonOf(gateway.schedule(id).delete()),
        reasonOf(
          gateway.createSchedule(id, {
            spec: { intervals: [{ every: '1 hour' }] },
            action: gateway.scheduleAction({ workflowType: 'YourWorkflow', workflowId: id, input: 'hole' }),
          }),
        ),
        reasonOf(
          gateway.callbackDelivery(id, 'run').register(
            {
              run: { storedWorkflowId: `acme~${id}`, workflowId: id, runId: 'run' },
              retryForMs: 60_000,
              initialIntervalMs: 1_000,
              maxIntervalMs: 10_000,
              attemptTimeoutMs: 5_000,
            },
            { url: 'https://example.com/hook' },
          ),
        ),
      ]);
      assert.deepEqual(writes, ['deadline', 'deadline', 'deadline', 'deadline']);
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= QUICK_CALL_MS - 500, `the writes ended after ${elapsed} ms, before their deadline`);
      assert.ok(elapsed < QUICK_CALL_MS + 2_000, `the writes ended after ${elapsed} ms`);
    } finally {
      await connection.close().catch(() => undefined);
      await hole.close();
    }
  });

  it('bounds every call with a deadline: a server that never answers is a prompt WaitEnded', async () => {
    const hole = await startBlackHole();
    const connection = Connection.lazy(apiConnectionOptions({ address: hole.address }));
    try {
      const client = new Client({ connection });
      const gateway = temporalGateway({ client, caller: tenantCaller('acme') });
      const started = Date.now();
      await assert.rejects(gateway.run(uniqueName('hole')).describe(), WaitEnded);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < QUICK_CALL_MS + 2_000, `the call ended after ${elapsed} ms`);
    } finally {
      await connection.close().catch(() => undefined);
      await hole.close();
    }
  });
});
