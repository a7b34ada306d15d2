import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import request from 'supertest';
import { createActivities } from '../activities';
import { fakeOrderServices } from '../activities/fakes';
import { callbackEventSchema } from '../api/callbacks/callback-webhook-openapi';
import { SCOPES } from '../api/auth/scopes';
import { buildOpenApiDocument } from '../api/http/openapi';
import type { AppRouter } from '../api/router';
import { webhookSettingsOf } from '../activities/webhook-delivery';
import { loadConfig } from '../common/config';
import { assertErrorAnswer, createTestApp, listen, useTestServer } from './helpers/api';
import { largeOrderInput, NEW_ADDRESS, orderInput } from './helpers/orders';
import { apiKeysEnv, testKey, type TestKey } from './helpers/auth';
import { eventually } from './helpers/process-checks';
import { quietLogger } from './helpers/quiet-logger';
import { createTestWorker, uniqueName } from './helpers/temporal';
import { startReceiver, TEST_WEBHOOK_SECRET, type Receiver } from './helpers/webhook-receiver';

// Completion webhooks end to end: the app and a worker in this process, the receiver in its own, verifying every
// POST with the official `standardwebhooks` library. Loopback is where the receiver listens, so these tests allow it
// explicitly (CALLBACK_ALLOWED_NETWORKS); one test shows it refused when it is not.

const ENV = {
  CALLBACK_ALLOWED_URLS: '127.0.0.1,localhost,hooks.example.com',
  CALLBACK_ALLOWED_NETWORKS: '127.0.0.0/8',
  CALLBACK_SIGNING_SECRET: TEST_WEBHOOK_SECRET,
  CALLBACK_RETRY_INITIAL_MS: '200',
  CALLBACK_RETRY_MAX_MS: '1000',
  CALLBACK_RETRY_FOR_MS: '3000',
  CALLBACK_ATTEMPT_TIMEOUT_MS: '2000',
};

// An OrderFulfilment whose address-change validator refuses every change (and the real CallbackDelivery).
const REJECTING_WORKFLOWS = join(__dirname, 'fixtures', 'rejecting-order-workflows.ts');

type Deliveries = { state: string; attempts: number; lastStatus?: number; lastError?: string; webhookId: string }[];

describe('completion webhooks', { timeout: 180_000 }, () => {
  const server = useTestServer();
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver.process.stop('SIGTERM', 2_000);
  });

  /** Starts YourWorkflow over REST with `body` (its input, workflow ID and callback); the answer is left to expect. */
  const startYourWorkflow = (app: ReturnType<typeof createTestApp>, body: object) =>
    request(app).post('/api/workflows/YourWorkflow').send(body);

  /** The app with callbacks enabled by `env`, and a worker whose deliveries follow `workerEnv` (default: the same). */
  async function withCallbacks<T>(
    fn: (app: ReturnType<typeof createTestApp>) => Promise<T>,
    {
      env = ENV,
      workerEnv = env,
      bundle = server.bundle,
    }: { env?: Record<string, string>; workerEnv?: Record<string, string>; bundle?: WorkflowBundleWithSourceMap } = {},
  ): Promise<T> {
    const taskQueue = uniqueName('callbacks-tq');
    const workerConfig = loadConfig({ ...workerEnv, LOG_LEVEL: 'silent' });
    const worker = await createTestWorker(server.env, bundle, {
      taskQueue,
      activities: createActivities({ ...fakeOrderServices(), webhooks: webhookSettingsOf(workerConfig) }),
    });
    return worker.runUntil(() => fn(createTestApp(server.env.client, taskQueue, { env })));
  }

  async function deliveriesWhen(
    app: ReturnType<typeof createTestApp>,
    workflowId: string,
    done: (deliveries: Deliveries) => boolean,
  ): Promise<Deliveries> {
    let deliveries: Deliveries = [];
    const settled = await eventually(async () => {
      const res = await request(app).get(`/api/workflows/${workflowId}/callbacks`).expect(200);
      deliveries = (res.body as { deliveries: Deliveries }).deliveries;
      return done(deliveries);
    }, 30_000);
    assert.ok(settled, `deliveries never settled: ${JSON.stringify(deliveries)}`);
    return deliveries;
  }

  // First in the file: the gauge reads every open delivery on this test server, and later tests leave some pending
  // (each stops its worker once it has seen what it checks, before the delivery workflow records it).
  it('reports the oldest undelivered callback’s age as a gauge: it grows while the receiver is down, 0 once delivered', async () => {
    // Learn a free port from a first receiver, then take it down: the callback's attempts fail until it is back.
    const down = await startReceiver();
    const { port } = down;
    await down.process.stop('SIGTERM', 2_000);
    let back: Receiver | undefined;
    try {
      await withCallbacks(
        async (app) => {
          const gauge = async (): Promise<number> => {
            const res = await request(app).get('/metrics').expect(200);
            const line = /^temporal_http_callback_oldest_undelivered_age_seconds (\S+)$/m.exec(res.text);
            assert.ok(line, 'the gauge is exported');
            return Number(line[1]);
          };
          const workflowId = uniqueName('callback-undelivered');
          await request(app)
            .post('/api/workflows/YourWorkflow')
            .send({ input: 'x', workflowId, callback: { url: `http://127.0.0.1:${port}/hooks` } })
            .expect(200);
          await deliveriesWhen(app, workflowId, (list) => list[0]?.state === 'RETRYING');
          let first = 0;
          assert.ok(
            await eventually(async () => (first = await gauge()) > 0, 10_000),
            'counts the undelivered callback',
          );
          let later = 0;
          assert.ok(
            await eventually(async () => (later = await gauge()) > first + 0.5, 10_000),
            `grows: ${first} → ${later}`,
          );

          back = await startReceiver({ port });
          await back.waitFor(workflowId, 30_000);
          await deliveriesWhen(app, workflowId, (list) => list[0]?.state === 'DELIVERED');
          let value = -1;
          assert.ok(await eventually(async () => (value = await gauge()) === 0, 15_000), `back to 0, not ${value}`);
        },
        { env: { ...ENV, CALLBACK_RETRY_FOR_MS: '120000' } },
      );
    } finally {
      await back?.process.stop('SIGTERM', 2_000);
    }
  });

  it('POSTs the typed outcome once, signed so that standardwebhooks verifies it, as a CloudEvent', async () => {
    await withCallbacks(async (app) => {
      const workflowId = uniqueName('callback-completed');
      await startYourWorkflow(app, { input: 'Callback', workflowId, callback: { url: receiver.url } }).expect(200);
      const got = await receiver.waitFor(workflowId, 30_000);
      assert.equal(got.verified, true, got.error);
      assert.equal(got.path, '/hooks');
      assert.match(got.contentType, /^application\/cloudevents\+json/);
      assert.equal(got.event.specversion, '1.0');
      assert.equal(got.event.type, 'temporal-http.workflow.completed');
      assert.equal(got.event.id, got.webhookId);
      const result = await request(app).get(`/api/workflows/${workflowId}/result`).expect(200);
      assert.deepEqual(got.event.data, result.body, 'the same outcome the result endpoint answers');
      callbackEventSchema.parse(got.event); // what the OpenAPI document's webhook says

      const [delivery, ...others] = await deliveriesWhen(app, workflowId, (list) => list[0]?.state === 'DELIVERED');
      assert.deepEqual(others, []);
      assert.equal(delivery?.attempts, 1);
      assert.equal(delivery?.webhookId, got.webhookId);
      assert.equal(receiver.received().filter((item) => item.event.subject === workflowId).length, 1);
    });
  });

  it('delivers a terminated run too, which the run’s own code never sees close', async () => {
    await withCallbacks(async (app) => {
      const workflowId = uniqueName('callback-terminated');
      await request(app)
        .post('/api/workflows/OrderFulfilment')
        .send({ input: largeOrderInput(), workflowId, callback: { url: receiver.url, events: ['TERMINATED'] } })
        .expect(200);
      await request(app).post(`/api/workflows/${workflowId}/terminate`).send({ reason: 'test' }).expect(200);
      const got = await receiver.waitFor(workflowId, 30_000);
      assert.equal(got.verified, true, got.error);
      assert.equal(got.event.type, 'temporal-http.workflow.terminated');
      assert.equal(got.event.data.status, 'TERMINATED');
    });
  });

  it('skips a run whose closing status the callback did not ask for', async () => {
    await withCallbacks(async (app) => {
      const workflowId = uniqueName('callback-skipped');
      await startYourWorkflow(app, {
        input: 'x',
        workflowId,
        callback: { url: receiver.url, events: ['FAILED'] },
      }).expect(200);
      const [delivery] = await deliveriesWhen(app, workflowId, (list) => list[0]?.state === 'SKIPPED');
      assert.equal(delivery?.attempts, 0);
      assert.equal(receiver.received().filter((item) => item.event.subject === workflowId).length, 0);
    });
  });

  it('takes callbacks over tRPC and on signal-with-start, and lists them over tRPC', async () => {
    await withCallbacks(async (app) => {
      const http = await listen(app);
      try {
        const trpc = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${http.baseUrl}/trpc` })] });
        const workflowId = uniqueName('callback-trpc');
        await trpc.workflows.OrderFulfilment.signalWithStart.approve.mutate({
          workflowId,
          input: largeOrderInput(),
          signal: { approvedBy: 'ops@example.com' },
          callback: { url: `${receiver.url}?token=secret` },
        });
        const got = await receiver.waitFor(workflowId, 60_000);
        assert.equal(got.verified, true, got.error);
        assert.equal(got.path, '/hooks?token=secret');
        assert.equal(got.event.data.status, 'COMPLETED');
        const listed = await trpc.callbacks.list.query({ workflowId });
        assert.equal(listed.deliveries.length, 1);
        assert.match(listed.deliveries[0]?.url ?? '', /\/hooks\?…$/, 'the query string is not listed');
      } finally {
        await http.close();
      }
    });
  });

  it('keeps the callback of a run update-with-start started when the validator rejects its update: 422 names the run', async () => {
    const bundle = await bundleWorkflowCode({ workflowsPath: REJECTING_WORKFLOWS, logger: quietLogger });
    await withCallbacks(
      async (app) => {
        const workflowId = uniqueName('callback-rejected-update');
        const res = await request(app)
          .post('/api/workflows/OrderFulfilment/update-with-start/changeShippingAddress')
          .send({
            workflowId,
            input: orderInput(),
            update: { shippingAddress: NEW_ADDRESS },
            callback: { url: receiver.url },
          });
        assertErrorAnswer(res, 422);
        assert.match(res.body.message, /addresses are frozen/);
        const details = (res.body as { data: { details: Record<string, string> } }).data.details;
        assert.equal(details.workflowId, workflowId);
        const described = await request(app).get(`/api/workflows/${workflowId}`).expect(200);
        assert.equal(details.runId, described.body.runId, 'the 422 names the run it started');
        assert.equal(described.body.status, 'RUNNING');

        const [waiting] = await deliveriesWhen(app, workflowId, (list) => list.length === 1);
        assert.equal(waiting?.state, 'WAITING', 'the callback was registered despite the rejection');
        await request(app).post(`/api/workflows/${workflowId}/cancel`).send({}).expect(202);
        const got = await receiver.waitFor(workflowId, 30_000);
        assert.equal(got.verified, true, got.error);
        assert.equal(got.event.type, 'temporal-http.workflow.cancelled');
        assert.equal(got.event.data.runId, details.runId);
      },
      { bundle },
    );
  });

  it('refuses a callback to the cloud metadata address, loopback, or off the allow-list: 400 naming the field, nothing started', async () => {
    const notAllowed = { ...ENV, CALLBACK_ALLOWED_NETWORKS: '' };
    await withCallbacks(
      async (app) => {
        for (const [url, reason] of [
          ['http://169.254.169.254/latest/meta-data', /link-local|not on the allow-list/],
          [receiver.url, /loopback/],
          ['http://localhost:9/hooks', /loopback/],
          ['http://[::ffff:127.0.0.1]:9/hooks', /loopback|allow-list/],
          ['https://elsewhere.example.org/hooks', /allow-list/],
          ['ftp://hooks.example.com/x', /https/],
          ['not a url', /absolute URL/],
        ] as const) {
          const workflowId = uniqueName('callback-refused');
          const res = await startYourWorkflow(app, { input: 'x', workflowId, callback: { url } }).expect(400);
          const fieldErrors = (res.body as { data: { fieldErrors: { path: string; message: string }[] } }).data
            .fieldErrors;
          assert.equal(fieldErrors[0]?.path, 'callback.url', url);
          assert.match(fieldErrors[0]?.message ?? '', reason, url);
          await request(app).get(`/api/workflows/${workflowId}`).expect(404);
        }
      },
      { env: notAllowed },
    );
    // With 169.254.0.0/16 among the allowed URLs' hosts but not the networks, the address itself still refuses it.
    await withCallbacks(
      async (app) => {
        const res = await startYourWorkflow(app, {
          input: 'x',
          callback: { url: 'http://169.254.169.254/latest/meta-data' },
        }).expect(400);
        assert.match(JSON.stringify(res.body), /link-local/);
      },
      { env: { ...notAllowed, CALLBACK_ALLOWED_URLS: '169.254.169.254' } },
    );
  });

  it('refuses https-less callbacks in production unless allowed, and callbacks when none are configured', async () => {
    const production = { ...ENV, NODE_ENV: 'production' };
    const cases: [Record<string, string>, RegExp][] = [
      [production, /use https/],
      [{}, /callbacks are not enabled/],
    ];
    for (const [env, refusal] of cases) {
      await withCallbacks(
        async (app) => {
          const res = await startYourWorkflow(app, { input: 'x', callback: { url: receiver.url } }).expect(400);
          assert.match(JSON.stringify(res.body), refusal);
        },
        { env },
      );
    }
  });

  it('checks the address again at delivery: a name that resolves to loopback is refused by the worker', async () => {
    // The API was told loopback is fine; the worker was not: its check of the DNS answer (localhost) refuses it.
    await withCallbacks(
      async (app) => {
        const workflowId = uniqueName('callback-rebound');
        await startYourWorkflow(app, {
          input: 'x',
          workflowId,
          callback: { url: `http://localhost:${receiver.port}/hooks` },
        }).expect(200);
        const [delivery] = await deliveriesWhen(app, workflowId, (list) => list[0]?.state === 'FAILED');
        assert.equal(delivery?.attempts, 1, 'a refused destination is not retried');
        assert.match(delivery?.lastError ?? '', /loopback/);
        assert.equal(receiver.received().filter((item) => item.event.subject === workflowId).length, 0);
      },
      { workerEnv: { ...ENV, CALLBACK_ALLOWED_NETWORKS: '' } },
    );
  });

  it('does not follow a redirect: the attempt fails, is retried with the same webhook-id, and gives up after CALLBACK_RETRY_FOR_MS', async () => {
    const redirecting = await startReceiver({ redirectTo: 'http://169.254.169.254/latest/meta-data' });
    try {
      await withCallbacks(async (app) => {
        const workflowId = uniqueName('callback-redirect');
        await startYourWorkflow(app, { input: 'x', workflowId, callback: { url: redirecting.url } }).expect(200);
        const [delivery] = await deliveriesWhen(app, workflowId, (list) => list[0]?.state === 'FAILED');
        assert.equal(delivery?.lastStatus, 302);
        assert.match(delivery?.lastError ?? '', /redirects are not followed/);
        const posts = redirecting.received().filter((item) => item.event.subject === workflowId);
        assert.ok(posts.length >= 2, `retried (${posts.length} attempts)`);
        assert.equal(new Set(posts.map((item) => item.webhookId)).size, 1, 'one webhook-id on every attempt');
        assert.equal(delivery?.attempts, posts.length);
      });
    } finally {
      await redirecting.process.stop('SIGTERM', 2_000);
    }
  });

  it("signs a tenant's webhooks with its own secret (CALLBACK_SIGNING_SECRETS_BY_TENANT), others' with the service's", async () => {
    const acmeSecret = `whsec_${Buffer.from('temporal-http-acme-secret').toString('base64')}`;
    const acme = testKey('acme-starter', [...SCOPES], { tenant: 'acme' });
    const operator = testKey('operator', [...SCOPES]);
    const acmeReceiver = await startReceiver({ secret: acmeSecret });
    try {
      await withCallbacks(
        async (app) => {
          const start = async (key: TestKey, url: string): Promise<string> => {
            const workflowId = uniqueName('callback-tenant-secret');
            await request(app)
              .post('/api/workflows/YourWorkflow')
              .set('x-api-key', key.key)
              .send({ input: 'x', workflowId, callback: { url } })
              .expect(200);
            return workflowId;
          };
          // acme's delivery verifies with acme's secret, and not with the service's.
          const toAcmeReceiver = await start(acme, acmeReceiver.url);
          const signedForAcme = await acmeReceiver.waitFor(toAcmeReceiver, 30_000);
          assert.equal(signedForAcme.verified, true, signedForAcme.error);
          const toGlobalReceiver = await start(acme, receiver.url);
          const notGlobal = await receiver.waitFor(toGlobalReceiver, 30_000);
          assert.equal(notGlobal.verified, false, "acme's webhook does not verify with the service's secret");
          // A caller with no tenant (or a tenant with no secret of its own) gets the service's secret.
          const untenanted = await start(operator, receiver.url);
          const signedGlobally = await receiver.waitFor(untenanted, 30_000);
          assert.equal(signedGlobally.verified, true, signedGlobally.error);
        },
        {
          env: {
            ...ENV,
            ...apiKeysEnv(acme, operator),
            CALLBACK_SIGNING_SECRETS_BY_TENANT: JSON.stringify({ acme: [acmeSecret] }),
          },
        },
      );
    } finally {
      await acmeReceiver.process.stop('SIGTERM', 2_000);
    }
  });

  it('documents the callback field on every start, the callbacks list and the webhook (OpenAPI 3.1 webhooks)', () => {
    const document = buildOpenApiDocument({ apiKey: false, jwt: false }) as ReturnType<typeof buildOpenApiDocument> & {
      webhooks?: Record<string, unknown>;
    };
    assert.equal(document.openapi, '3.1.0');
    assert.ok(document.webhooks?.workflowClosed, 'webhooks.workflowClosed');
    assert.ok(document.paths?.['/workflows/{workflowId}/callbacks']?.get, 'GET /workflows/{workflowId}/callbacks');
    for (const path of [
      '/workflows/YourWorkflow',
      '/workflows/YourWorkflow/execute',
      '/workflows/OrderFulfilment/signal-with-start/approve',
      '/workflows/OrderFulfilment/update-with-start/changeShippingAddress',
    ]) {
      const body = document.paths?.[path]?.post?.requestBody;
      const schema = body && 'content' in body ? body.content['application/json']?.schema : undefined;
      assert.match(JSON.stringify(schema), /"callback":\{"type":"object"/, path);
    }
  });
});
