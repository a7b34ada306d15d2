import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { SCOPES } from '../api/auth/scopes';
import { withoutLinkToken } from '../api/http/access-log';
import type { OrderStatus } from '../workflows/order-fulfilment/order-fulfilment.contract';
import { createTestApp, withApi, useTestServer, type ApiUnderTest } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { eventually, largeOrderInput, NEW_ADDRESS } from './helpers/orders';
import { uniqueName } from './helpers/temporal';

const SECRET = 'test-action-link-secret-0123456789abcdef';
const acme = testKey('acme-ops', [...SCOPES], { tenant: 'acme' });
const globex = testKey('globex-ops', [...SCOPES], { tenant: 'globex' });
const readOnly = testKey('acme-reader', ['workflows:read', 'workflows:start'], { tenant: 'acme' });
const env = { ...apiKeysEnv(acme, globex, readOnly), ACTION_LINK_SIGNING_SECRET: SECRET };

interface LinkView {
  id: string;
  url: string;
  expiresAt: string;
  usesLeft: number;
  inputSchema: { properties?: Record<string, unknown> } | null;
}

async function status(app: Express, workflowId: string): Promise<OrderStatus> {
  const response = await request(app).get(`/api/workflows/${workflowId}/queries/status`).set('x-api-key', acme.key);
  assert.equal(response.status, 200, response.text);
  return response.body as OrderStatus;
}

/** Starts a large order as tenant acme and waits until it awaits approval. */
async function orderAwaitingApproval(app: Express): Promise<string> {
  const workflowId = uniqueName('order');
  await request(app)
    .post('/api/workflows/OrderFulfilment')
    .set('x-api-key', acme.key)
    .send({ input: largeOrderInput(), workflowId })
    .expect(200);
  await eventually(`order ${workflowId} awaiting approval`, async () =>
    (await status(app, workflowId)).step === 'awaiting_approval' ? true : undefined,
  );
  return workflowId;
}

async function createLink(app: Express, workflowId: string, body: Record<string, unknown>): Promise<LinkView> {
  const created = await request(app).post(`/api/workflows/${workflowId}/links`).set('x-api-key', acme.key).send(body);
  assert.equal(created.status, 200, created.text);
  return created.body as LinkView;
}

function reasonOf(response: request.Response): unknown {
  return (response.body as { data?: { details?: { reason?: string } } }).data?.details?.reason;
}

describe('action links, against a real dev server', () => {
  const server = useTestServer();
  /** A test body run against an app with links on, given a large order of acme's that awaits approval. */
  const withOrder = (fn: (api: ApiUnderTest & { workflowId: string }) => Promise<void>) => (): Promise<void> =>
    withApi(server, async (api) => fn({ ...api, workflowId: await orderAwaitingApproval(api.app) }), {}, env);

  it(
    'approves an order through its link without credentials; GET never acts; the second use is a 410',
    withOrder(async ({ app, workflowId }) => {
      const link = await createLink(app, workflowId, { signal: 'approve' });
      assert.match(link.url, /^\/api\/links\/[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.match(link.id, /^[\w-]{16}$/);
      assert.ok(Date.parse(link.expiresAt) > Date.now());

      const described = await request(app).get(link.url).expect(200);
      assert.equal(described.body.kind, 'signal');
      assert.equal(described.body.message, 'approve');
      assert.equal(described.body.workflowId, workflowId);
      assert.equal(described.body.usesLeft, 1);
      assert.ok(described.body.inputSchema.properties.approvedBy, JSON.stringify(described.body.inputSchema));
      await request(app).get(link.url).expect(200);
      assert.equal((await status(app, workflowId)).step, 'awaiting_approval', 'GET must not act');

      const used = await request(app).post(link.url).send({ approvedBy: 'link-holder' });
      assert.equal(used.status, 200, used.text);
      assert.equal(used.body.status, 'SIGNALED');
      assert.equal(used.body.use, 1);
      const outcome = await request(app)
        .get(`/api/workflows/${workflowId}/result`)
        .query({ waitMs: 15_000 })
        .set('x-api-key', acme.key);
      assert.equal(outcome.body.status, 'COMPLETED', outcome.text);
      assert.equal((await status(app, workflowId)).approval.approvedBy, 'link-holder');
      // The use's record is the service's own run: the caller's list shows the order (closed after it), not it.
      const listed = await eventually('the completed order listed', async () => {
        const page = await request(app).get('/api/workflows').query({ pageSize: 100 }).set('x-api-key', acme.key);
        const runs = page.body.workflows as { workflowId: string; type: string; status: string }[];
        return runs.some((run) => run.workflowId === workflowId && run.status === 'COMPLETED') ? runs : undefined;
      });
      assert.deepEqual(
        listed.filter((run) => run.type !== 'OrderFulfilment'),
        [],
      );

      const again = await request(app).post(link.url).send({ approvedBy: 'second' });
      assert.equal(again.status, 410, again.text);
      assert.equal(reasonOf(again), 'USED_UP');
      assert.equal((await request(app).get(link.url)).status, 410);
    }),
  );

  it('admits exactly maxUses uses when holders race on two API replicas, and a restarted API agrees', () =>
    withApi(
      server,
      async ({ app, client, taskQueue }) => {
        const workflowId = await orderAwaitingApproval(app);
        const link = await createLink(app, workflowId, { signal: 'approve', maxUses: 2 });
        // Two apps share nothing but Temporal, as two replicas (or one before and after a restart) do.
        const replica = createTestApp(client, taskQueue, { env });
        const answers = await Promise.all(
          [1, 2, 3, 4, 5, 6].map((n) =>
            request(n % 2 === 0 ? app : replica)
              .post(link.url)
              .send({ approvedBy: `racer-${n}` }),
          ),
        );
        const statuses = answers.map((answer) => answer.status).sort();
        assert.deepEqual(statuses, [200, 200, 410, 410, 410, 410], answers.map((a) => a.text).join('\n'));
        assert.deepEqual(
          answers
            .filter((a) => a.status === 200)
            .map((a) => a.body.use)
            .sort(),
          [1, 2],
        );
        const restarted = createTestApp(client, taskQueue, { env });
        const after = await request(restarted).get(link.url);
        assert.equal(after.status, 410, after.text);
        assert.equal(reasonOf(after), 'USED_UP');
      },
      {},
      env,
    ));

  it(
    'refuses a tampered link or one signed with another secret (401), and acts on neither',
    withOrder(async ({ app, workflowId }) => {
      const link = await createLink(app, workflowId, { signal: 'approve' });
      const token = link.url.split('/').at(-1) as string;
      const [header, payload, signature] = token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...claims, max: 100 })).toString('base64url');
      for (const bad of [
        `${header}.${forged}.${signature}`,
        `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`,
        'not-a-token',
      ]) {
        const posted = await request(app).post(`/api/links/${bad}`).send({ approvedBy: 'forger' });
        assert.ok([400, 401].includes(posted.status), posted.text);
        assert.equal((await request(app).get(`/api/links/${bad}`)).status, posted.status);
      }
      const forgedPost = await request(app)
        .post(`/api/links/${header}.${forged}.${signature}`)
        .send({ approvedBy: 'forger' });
      assert.equal(forgedPost.status, 401, forgedPost.text);
      assert.equal(forgedPost.body.code, 'UNAUTHORIZED');

      await withApi(
        server,
        async ({ app: other }) => {
          const elsewhere = await request(other).post(link.url).send({ approvedBy: 'other-secret' });
          assert.equal(elsewhere.status, 401, elsewhere.text);
        },
        {},
        { ...env, ACTION_LINK_SIGNING_SECRET: 'another-secret-another-secret-0123456789' },
      );
      assert.equal((await status(app, workflowId)).step, 'awaiting_approval');
      assert.equal((await request(app).get(link.url).expect(200)).body.usesLeft, 1);
    }),
  );

  it(
    'answers 410 once the link has expired, and acts no more',
    withOrder(async ({ app, workflowId }) => {
      const link = await createLink(app, workflowId, { signal: 'approve', expiresIn: 1 });
      const expired = await eventually('link to expire', async () => {
        const answer = await request(app).get(link.url);
        return answer.status === 410 ? answer : undefined;
      });
      assert.equal(reasonOf(expired), 'EXPIRED');
      const late = await request(app).post(link.url).send({ approvedBy: 'late' });
      assert.equal(late.status, 410, late.text);
      assert.equal(reasonOf(late), 'EXPIRED');
      assert.equal((await status(app, workflowId)).step, 'awaiting_approval');
    }),
  );

  it(
    'a revoked link answers 410; revoking needs the scope and a workflow the caller can see',
    withOrder(async ({ app, workflowId }) => {
      const link = await createLink(app, workflowId, { signal: 'approve', maxUses: 3 });
      const path = `/api/workflows/${workflowId}/links/${link.id}`;
      assert.equal((await request(app).delete(path)).status, 401);
      assert.equal((await request(app).delete(path).set('x-api-key', readOnly.key)).status, 403);
      assert.equal((await request(app).delete(path).set('x-api-key', globex.key)).status, 404);
      assert.equal((await request(app).get(link.url)).status, 200, 'refused revocations change nothing');

      const revoked = await request(app).delete(path).set('x-api-key', acme.key);
      assert.equal(revoked.status, 200, revoked.text);
      assert.deepEqual(revoked.body, { id: link.id, workflowId, status: 'REVOKED' });
      await request(app).delete(path).set('x-api-key', acme.key).expect(200); // idempotent

      const used = await request(app).post(link.url).send({ approvedBy: 'after-revoke' });
      assert.equal(used.status, 410, used.text);
      assert.equal(reasonOf(used), 'REVOKED');
      assert.equal(reasonOf(await request(app).get(link.url)), 'REVOKED');
      assert.equal((await status(app, workflowId)).step, 'awaiting_approval');
    }),
  );

  it(
    'checks the input as the authenticated route does (400 naming the field) and takes no use for it',
    withOrder(async ({ app, workflowId }) => {
      const link = await createLink(app, workflowId, { signal: 'approve' });
      const bad = await request(app).post(link.url).send({ approver: 'typo' });
      assert.equal(bad.status, 400, bad.text);
      const paths = (bad.body.data.fieldErrors as { path: string }[]).map((issue) => issue.path).sort();
      assert.deepEqual(paths, ['approvedBy', 'approver']);
      assert.equal((await request(app).get(link.url).expect(200)).body.usesLeft, 1);

      // A fixed input is checked when the link is made, and the holder then sends nothing.
      const refused = await request(app)
        .post(`/api/workflows/${workflowId}/links`)
        .set('x-api-key', acme.key)
        .send({ signal: 'approve', input: { approvedBy: '' } });
      assert.equal(refused.status, 400, refused.text);
      assert.deepEqual(
        (refused.body.data.fieldErrors as { path: string }[]).map((issue) => issue.path),
        ['input.approvedBy'],
      );
      const unknown = await request(app)
        .post(`/api/workflows/${workflowId}/links`)
        .set('x-api-key', acme.key)
        .send({ signal: 'approvee' });
      assert.equal(unknown.status, 400, unknown.text);
      assert.match(unknown.body.message, /no signal named "approvee"/);

      const fixed = await createLink(app, workflowId, { signal: 'approve', input: { approvedBy: 'fixed-by-link' } });
      assert.equal((await request(app).get(fixed.url).expect(200)).body.inputSchema, null);
      const extra = await request(app).post(fixed.url).send({ approvedBy: 'someone-else' });
      assert.equal(extra.status, 400, extra.text);
      await request(app).post(fixed.url).set('content-type', 'application/json').expect(200);
      assert.equal(
        (
          await eventually('approval recorded', async () => {
            const current = await status(app, workflowId);
            return current.approval.approvedBy ? current : undefined;
          })
        ).approval.approvedBy,
        'fixed-by-link',
      );
    }),
  );

  it(
    'an update link answers the update’s result',
    withOrder(async ({ app, workflowId }) => {
      const link = await createLink(app, workflowId, { update: 'changeShippingAddress' });
      const described = await request(app).get(link.url).expect(200);
      assert.equal(described.body.kind, 'update');
      const used = await request(app).post(link.url).send({ shippingAddress: NEW_ADDRESS });
      assert.equal(used.status, 200, used.text);
      assert.equal(used.body.status, 'COMPLETED');
      assert.deepEqual(used.body.result, NEW_ADDRESS);
    }),
  );

  it(
    'creating a link needs workflows:signal and a workflow the caller can see (another tenant: 404)',
    withOrder(async ({ app, workflowId }) => {
      const path = `/api/workflows/${workflowId}/links`;
      assert.equal((await request(app).post(path).send({ signal: 'approve' })).status, 401);
      const noScope = await request(app).post(path).set('x-api-key', readOnly.key).send({ signal: 'approve' });
      assert.equal(noScope.status, 403, noScope.text);
      const otherTenant = await request(app).post(path).set('x-api-key', globex.key).send({ signal: 'approve' });
      assert.equal(otherTenant.status, 404, otherTenant.text);
      const both = await request(app)
        .post(path)
        .set('x-api-key', acme.key)
        .send({ signal: 'approve', update: 'changeShippingAddress' });
      assert.equal(both.status, 400, both.text);
    }),
  );

  it('the access log keeps no link token (REST path, tRPC query input)', () => {
    assert.equal(withoutLinkToken('/api/links/eyJh.eyJq.c2ln'), '/api/links/[token]');
    assert.equal(
      withoutLinkToken('/trpc/links.describe?input=%7B%22token%22%3A%22eyJh%22%7D'),
      '/trpc/links.describe?[token]',
    );
    assert.equal(
      withoutLinkToken('/api/workflows/order-1/links/G2kRpHaCAEtqdq27'),
      '/api/workflows/order-1/links/G2kRpHaCAEtqdq27',
    );
  });

  it('links are off without ACTION_LINK_SIGNING_SECRET: 501 naming it', () =>
    withApi(
      server,
      async ({ app }) => {
        const off = await request(app).post('/api/workflows/any-order/links').send({ signal: 'approve' });
        assert.equal(off.status, 501, off.text);
        assert.match(off.body.message, /ACTION_LINK_SIGNING_SECRET/);
        assert.equal((await request(app).get('/api/links/a.b.c')).status, 501);

        // The OpenAPI document has the routes: the link's own are public, with their 401 and 410 explained.
        const paths = (await request(app).get('/openapi.json').expect(200)).body.paths;
        for (const method of ['get', 'post']) {
          const operation = paths['/links/{token}'][method];
          assert.deepEqual(operation.security, [], `${method} /links/{token} is public`);
          assert.match(operation.responses['410'].description, /expired, been used up or been revoked/);
          assert.match(operation.responses['401'].description, /Not a valid action link/);
        }
        assert.ok(paths['/workflows/{workflowId}/links'].post);
        assert.ok(paths['/workflows/{workflowId}/links/{linkId}'].delete);
      },
      {},
      {},
    ));
});
