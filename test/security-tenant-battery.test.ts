import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { SCOPES } from '../api/auth/scopes';
import { useTestServer, withApi, type ApiUnderTest } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import {
  createOrderFakes,
  eventually,
  largeOrderInput,
  NEW_ADDRESS,
  orderInput,
  type OrderFakes,
} from './helpers/orders';
import { uniqueName } from './helpers/temporal';

// The tenant battery: two tenants using the same business IDs, a key limited to one workflow type and a key that
// may only start. No effect may cross a tenant or scope line: not through a start option, not through a with-start
// call, not in the order's outside services.
const acme = testKey('acme-admin', [...SCOPES], { tenant: 'acme' });
const globex = testKey('globex-admin', [...SCOPES], { tenant: 'globex' });
const acmeStartOnly = testKey('acme-start-only', ['workflows:start'], { tenant: 'acme' });
const acmeYourOnly = testKey('acme-your-only', [...SCOPES], { tenant: 'acme', workflowTypes: ['YourWorkflow'] });
const env = { ...apiKeysEnv(acme, globex, acmeStartOnly, acmeYourOnly), RATE_LIMIT_PER_MINUTE: '100000' };

type Transport = 'rest' | 'trpc';
const TRANSPORTS: Transport[] = ['rest', 'trpc'];

/** A mutation over either transport: the REST path under /api or the tRPC procedure, with the same body. */
function mutate(app: Express, transport: Transport, key: string, rest: string, procedure: string, body: object) {
  const path = transport === 'rest' ? `/api${rest}` : `/trpc/${procedure}`;
  return request(app).post(path).set('x-api-key', key).set('content-type', 'application/json').send(body);
}

/** The error's code and details, whichever transport answered. */
function errorOf(
  response: request.Response,
  transport: Transport,
): { code?: string; details?: Record<string, unknown> } {
  const body = response.body as {
    code?: string;
    data?: { details?: Record<string, unknown> };
    error?: { data?: { code?: string; details?: Record<string, unknown> } };
  };
  return transport === 'rest'
    ? { code: body.code, details: body.data?.details }
    : { code: body.error?.data?.code, details: body.error?.data?.details };
}

function statusOf(app: Express, key: string, workflowId: string) {
  return request(app).get(`/api/workflows/${workflowId}/queries/status`).set('x-api-key', key);
}

async function awaitStep(app: Express, key: string, workflowId: string, step: string) {
  return eventually(`${workflowId} at ${step}`, async () => {
    const response = await statusOf(app, key, workflowId);
    return response.body?.step === step ? (response.body as Record<string, unknown>) : undefined;
  });
}

/** Starts acme's order (by default a large one) over REST and waits until it awaits approval; answers its status. */
async function startAwaitingApproval(app: Express, workflowId: string, input: object = largeOrderInput()) {
  await mutate(app, 'rest', acme.key, '/workflows/OrderFulfilment', '', { workflowId, input }).expect(200);
  return awaitStep(app, acme.key, workflowId, 'awaiting_approval');
}

describe('tenant battery: scopes and tenants hold around by-ID operations too', () => {
  const server = useTestServer();
  /** A test body run against the app with the battery's keys (env), its worker using `fakes` (default: fresh ones). */
  const withTenants = (fn: (api: ApiUnderTest) => Promise<void>, fakes?: OrderFakes) => (): Promise<void> =>
    withApi(server, fn, fakes ?? createOrderFakes(), env);

  it(
    'a start-only key cannot terminate, signal, update or read an existing run through start options or with-start',
    withTenants(async ({ app, client }) => {
      const workflowId = uniqueName('order');
      const input = largeOrderInput();
      const before = await startAwaitingApproval(app, workflowId, input);

      for (const transport of TRANSPORTS) {
        const attempts: [string, request.Response, string][] = [
          [
            'TERMINATE_EXISTING',
            await mutate(
              app,
              transport,
              acmeStartOnly.key,
              '/workflows/OrderFulfilment',
              'workflows.OrderFulfilment.start',
              {
                workflowId,
                input,
                options: { idConflictPolicy: 'TERMINATE_EXISTING' },
              },
            ),
            'workflows:terminate',
          ],
          [
            'signal-with-start',
            await mutate(
              app,
              transport,
              acmeStartOnly.key,
              '/workflows/OrderFulfilment/signal-with-start/approve',
              'workflows.OrderFulfilment.signalWithStart.approve',
              { workflowId, input, signal: { approvedBy: acmeStartOnly.entry.name } },
            ),
            'workflows:signal',
          ],
          [
            'update-with-start',
            await mutate(
              app,
              transport,
              acmeStartOnly.key,
              '/workflows/OrderFulfilment/update-with-start/changeShippingAddress',
              'workflows.OrderFulfilment.updateWithStart.changeShippingAddress',
              { workflowId, input, update: { shippingAddress: NEW_ADDRESS } },
            ),
            'workflows:signal',
          ],
          [
            'execute USE_EXISTING',
            await mutate(
              app,
              transport,
              acmeStartOnly.key,
              '/workflows/OrderFulfilment/execute',
              'workflows.OrderFulfilment.execute',
              { workflowId, input, options: { idConflictPolicy: 'USE_EXISTING' }, waitMs: 0 },
            ),
            'workflows:read',
          ],
        ];
        for (const [what, response, scope] of attempts) {
          assert.equal(response.status, 403, `${transport} ${what}: ${response.text}`);
          const error = errorOf(response, transport);
          assert.equal(error.code, 'FORBIDDEN', what);
          assert.equal(error.details?.requiredScope, scope, `${transport} ${what}`);
        }
      }

      // The run is untouched: still running, not approved, at its first address.
      const description = await client.workflow.getHandle(`acme~${workflowId}`).describe();
      assert.equal(description.status.name, 'RUNNING');
      const after = await awaitStep(app, acme.key, workflowId, 'awaiting_approval');
      assert.deepEqual(after.approval, before.approval);
      assert.deepEqual(after.shippingAddress, input.shippingAddress);

      // Starting with USE_EXISTING only names the run (no effect on it), which a start key may do.
      const attached = await mutate(app, 'rest', acmeStartOnly.key, '/workflows/OrderFulfilment', '', {
        workflowId,
        input,
        options: { idConflictPolicy: 'USE_EXISTING' },
      });
      assert.equal(attached.status, 200, attached.text);
      assert.equal(attached.body.runId, description.runId);
      await client.workflow.getHandle(`acme~${workflowId}`).terminate('test over');
    }),
  );

  it(
    'a type-limited key hears only "in use" about a run of another type, and cannot end it',
    withTenants(async ({ app, client }) => {
      const workflowId = uniqueName('order');
      await startAwaitingApproval(app, workflowId);
      const { runId } = await client.workflow.getHandle(`acme~${workflowId}`).describe();

      for (const transport of TRANSPORTS) {
        for (const options of [
          undefined,
          { idConflictPolicy: 'TERMINATE_EXISTING' },
          { idConflictPolicy: 'USE_EXISTING' },
        ]) {
          const response = await mutate(
            app,
            transport,
            acmeYourOnly.key,
            '/workflows/YourWorkflow',
            'workflows.YourWorkflow.start',
            { workflowId, input: 'x', ...(options ? { options } : {}) },
          );
          const what = `${transport} ${options?.idConflictPolicy ?? 'FAIL'}`;
          assert.equal(response.status, 409, `${what}: ${response.text}`);
          assert.equal(errorOf(response, transport).code, 'CONFLICT', what);
          assert.doesNotMatch(response.text, /OrderFulfilment|RUNNING/, `${what} describes the hidden run`);
          assert.ok(!response.text.includes(runId), `${what} names the hidden run`);
        }
      }
      const description = await client.workflow.getHandle(`acme~${workflowId}`).describe();
      assert.equal(description.status.name, 'RUNNING');
      assert.equal(description.runId, runId);
      await client.workflow.getHandle(`acme~${workflowId}`).terminate('test over');
    }),
  );

  it("two tenants' orders with the same orderId and workflow ID never touch each other's stock, charge or parcel", () => {
    // Slow legs: acme's order is still shipping (charged, stock held) while globex's runs and is cancelled.
    const fakes = createOrderFakes({ steps: 100, stepMs: 100 });
    return withTenants(async ({ app, client }) => {
      const workflowId = uniqueName('order');
      const orderId = uniqueName('A');
      await mutate(app, 'rest', acme.key, '/workflows/OrderFulfilment', '', {
        workflowId,
        input: orderInput({ orderId }),
      }).expect(200);
      await awaitStep(app, acme.key, workflowId, 'shipping');
      const [acmeCharge] = fakes.payments.ledger();
      assert.ok(acmeCharge, 'acme was charged');
      const stockAfterAcme = fakes.inventory.available('MUG-BLUE');

      // Over tRPC this time: the same business IDs in the other tenant.
      await mutate(app, 'trpc', globex.key, '', 'workflows.OrderFulfilment.start', {
        workflowId,
        input: largeOrderInput({ orderId }),
      }).expect(200);
      await awaitStep(app, globex.key, workflowId, 'awaiting_approval');
      assert.equal(fakes.inventory.reservationOf(`globex~${workflowId}`)?.status, 'held', 'globex holds its own stock');
      await request(app).post(`/api/workflows/${workflowId}/cancel`).set('x-api-key', globex.key).send({}).expect(202);
      const outcome = await request(app)
        .get(`/api/workflows/${workflowId}/result`)
        .query({ waitMs: 15_000 })
        .set('x-api-key', globex.key);
      assert.equal(outcome.body.status, 'CANCELLED', outcome.text);

      // Globex's cancellation undid globex's order only.
      assert.equal(fakes.payments.ledger().length, 1, 'globex was never charged');
      assert.equal(fakes.payments.ledger()[0]?.refundId, undefined, "acme's charge was not refunded");
      assert.equal(fakes.inventory.reservationOf(`acme~${workflowId}`)?.status, 'held');
      assert.equal(fakes.inventory.reservationOf(`globex~${workflowId}`)?.status, 'released');
      assert.equal(fakes.inventory.available('MUG-BLUE'), stockAfterAcme);
      assert.equal(fakes.shipping.shipmentOf(`globex~${workflowId}`), undefined);
      assert.equal(fakes.shipping.shipmentOf(`acme~${workflowId}`)?.status, 'in_transit');
      const acmeStatus = await awaitStep(app, acme.key, workflowId, 'shipping');
      assert.equal((acmeStatus as { chargeId?: string }).chargeId, acmeCharge.chargeId);
      await client.workflow.getHandle(`acme~${workflowId}`).terminate('test over');
    }, fakes)();
  });

  it(
    'approvedBy is the approving caller: another name is a 403 over REST and tRPC, its own is recorded',
    withTenants(async ({ app, client }) => {
      const workflowId = uniqueName('order');
      await startAwaitingApproval(app, workflowId);
      for (const transport of TRANSPORTS) {
        const forged = await mutate(
          app,
          transport,
          acme.key,
          `/workflows/${workflowId}/signals/approve`,
          'workflows.OrderFulfilment.signals.approve',
          { workflowId, approvedBy: 'the-cfo' },
        );
        assert.equal(forged.status, 403, `${transport}: ${forged.text}`);
        assert.equal(errorOf(forged, transport).details?.field, 'approvedBy');
      }
      const status = await awaitStep(app, acme.key, workflowId, 'awaiting_approval');
      assert.deepEqual(status.approval, { required: true });
      await mutate(app, 'trpc', acme.key, '', 'workflows.OrderFulfilment.signals.approve', {
        workflowId,
        approvedBy: acme.entry.name,
      }).expect(202);
      const approved = await eventually('the approval recorded', async () => {
        const response = await statusOf(app, acme.key, workflowId);
        const approval = response.body?.approval as { approvedBy?: string } | undefined;
        return approval?.approvedBy;
      });
      assert.equal(approved, acme.entry.name);
      await client.workflow.getHandle(`acme~${workflowId}`).terminate('test over');
    }),
  );

  it(
    'a requester cannot set its own approval threshold: 400 over REST and tRPC, and nothing starts',
    withTenants(async ({ app, client }) => {
      for (const transport of TRANSPORTS) {
        const workflowId = uniqueName('order');
        const response = await mutate(
          app,
          transport,
          acme.key,
          '/workflows/OrderFulfilment',
          'workflows.OrderFulfilment.start',
          {
            workflowId,
            input: { ...largeOrderInput(), approvalThresholdCents: 10_000_000 },
          },
        );
        assert.equal(response.status, 400, `${transport}: ${response.text}`);
        assert.match(response.text, /approvalThresholdCents: unknown field/);
        await assert.rejects(client.workflow.getHandle(`acme~${workflowId}`).describe());
      }
    }),
  );
});
