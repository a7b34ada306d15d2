import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { createRateLimits } from '../api/auth/rate-limits';
import { assertCleanErrorBody, createTestApp, listen } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { listenHost, loadConfig } from '../common/config';
import { uniqueName } from './helpers/temporal';
import { useUnreachableApp } from './helpers/unreachable-app';

const ALLOWED = 'https://app.example.com';
const key = testKey('browser', ['workflows:read', 'workflows:start']);
const limited = testKey('limited', ['workflows:read']);

describe('HTTP hardening: CORS, security headers, rate limits, strict input', () => {
  const api = useUnreachableApp('http', {
    ...apiKeysEnv(key, limited),
    CORS_ORIGINS: `${ALLOWED},https://admin.example.com`,
    RATE_LIMIT_PER_MINUTE: '1000',
    RATE_LIMIT_STREAMS_PER_CALLER: '1',
  });

  describe('CORS', () => {
    for (const path of ['/trpc/workflows.YourWorkflow.start', '/api/workflows/YourWorkflow']) {
      it(`answers a preflight for ${path} from an allowed origin with the headers clients send and read`, async () => {
        const response = await request(api.app)
          .options(path)
          .set('origin', ALLOWED)
          .set('access-control-request-method', 'POST')
          .set('access-control-request-headers', 'authorization,x-api-key,idempotency-key,content-type');
        assert.equal(response.status, 204);
        assert.equal(response.headers['access-control-allow-origin'], ALLOWED);
        const allowed = String(response.headers['access-control-allow-headers']).toLowerCase();
        for (const header of ['authorization', 'x-api-key', 'idempotency-key', 'last-event-id', 'content-type'])
          assert.ok(allowed.includes(header), `${header} not allowed: ${allowed}`);
      });
    }

    it('refuses a preflight from an origin not on the list (no allow-origin header)', async () => {
      const response = await request(api.app)
        .options('/api/workflows/YourWorkflow')
        .set('origin', 'https://evil.example.com')
        .set('access-control-request-method', 'POST');
      assert.equal(response.headers['access-control-allow-origin'], undefined);
    });

    it('exposes the headers clients read on actual answers', async () => {
      const response = await request(api.app)
        .get('/api/me')
        .set('origin', ALLOWED)
        .set('x-api-key', key.key)
        .expect(200);
      assert.equal(response.headers['access-control-allow-origin'], ALLOWED);
      const exposed = String(response.headers['access-control-expose-headers']).toLowerCase();
      for (const header of ['x-request-id', 'location', 'retry-after', 'ratelimit', 'ratelimit-policy'])
        assert.ok(exposed.includes(header), `${header} not exposed: ${exposed}`);
    });
  });

  it('sends security headers on every answer, with a CSP under which /docs loads its own scripts', async () => {
    for (const path of ['/healthz', '/docs', '/api/me', '/no-such-page']) {
      const response = await request(api.app).get(path);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', path);
      assert.ok(response.headers['strict-transport-security'], path);
      assert.equal(response.headers['x-powered-by'], undefined, path);
      const csp = String(response.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'/, path);
      assert.doesNotMatch(csp, /upgrade-insecure-requests/, path);
    }
    const page = await request(api.app).get('/docs').expect(200);
    // Its own scripts, from under /docs (relative URLs, so the page works behind a path prefix): no CDN, no inline.
    for (const src of page.text.matchAll(/src="([^"]+)"/g)) assert.match(src[1] ?? '', /^\/?docs\//);
  });

  describe('strict input', () => {
    it('answers 400 naming a misspelt envelope key, over REST and tRPC alike', async () => {
      const body = { input: 'x', workflowID: 'order-7' };
      const rest = await request(api.app).post('/api/workflows/YourWorkflow').set('x-api-key', key.key).send(body);
      assertCleanErrorBody(rest, 400);
      assert.deepEqual(rest.body.data.fieldErrors, [{ path: 'workflowID', message: 'unknown field' }]);
      const trpc = await request(api.app)
        .post('/trpc/workflows.YourWorkflow.start')
        .set('x-api-key', key.key)
        .set('content-type', 'application/json')
        .send(JSON.stringify(body));
      assert.equal(trpc.status, 400);
      assert.equal(trpc.body.error.message, rest.body.message);
      assert.deepEqual(trpc.body.error.data.fieldErrors, rest.body.data.fieldErrors);
    });

    it('answers 400 naming an unknown field inside a contract input (strict contracts)', async () => {
      const response = await request(api.app)
        .post('/api/workflows/OrderFulfilment')
        .set('x-api-key', key.key)
        .send({
          input: {
            orderId: 'o-1',
            items: [{ sku: 'A', quantity: 1, unitPriceCents: 100, discount: 50 }],
            shippingAddress: { name: 'A', line1: 'B', city: 'C', postalCode: '1', country: 'DE' },
            payment: { cardToken: 'tok_visa' },
          },
        });
      assertCleanErrorBody(response, 400);
      assert.ok(
        response.body.data.fieldErrors.some((issue: { path: string }) => issue.path === 'input.items.0.discount'),
        response.text,
      );
    });

    it('refuses JSON nested 5,000 deep with a 400 and a request id, on REST and tRPC', async () => {
      const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
      const postDeep = (path: string) =>
        request(api.app)
          .post(path)
          .set('x-api-key', key.key)
          .set('content-type', 'application/json')
          .send(`{"input":${deep}}`);
      const rest = await postDeep('/api/workflows/YourWorkflow');
      assertCleanErrorBody(rest, 400);
      assert.match(rest.body.message, /deeper than/);
      assertCleanErrorBody(await postDeep('/trpc/workflows.YourWorkflow.start'), 400);
      // In a query string (tRPC queries): shallower, to stay under Node's header size limit (431).
      const deepQuery = `${'['.repeat(1000)}${']'.repeat(1000)}`;
      const query = await request(api.app).get('/trpc/auth.me').query({ input: deepQuery }).set('x-api-key', key.key);
      assertCleanErrorBody(query, 400);
    });

    it('refuses a body with invalid UTF-8 with a 400', async () => {
      const body = Buffer.concat([Buffer.from('{"input":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
      const server = await listen(api.app);
      try {
        const response = await fetch(`${server.baseUrl}/api/workflows/YourWorkflow`, {
          method: 'POST',
          headers: { 'x-api-key': key.key, 'content-type': 'application/json' },
          body,
        });
        assert.equal(response.status, 400);
        const answer = (await response.json()) as { code: string; message: string; data: { requestId: string } };
        assert.equal(answer.code, 'BAD_REQUEST');
        assert.match(answer.message, /UTF-8/);
        assert.equal(answer.data.requestId, response.headers.get('x-request-id'));
      } finally {
        await server.close();
      }
    });
  });

  it('limits progress streams per caller: 429 with Retry-After', () => {
    // Held streams against a real workflow are in security-tenants.test.ts; this is the slot accounting alone.
    const limits = createRateLimits({
      RATE_LIMIT_PER_MINUTE: 10,
      RATE_LIMIT_WAITS_PER_MINUTE: 10,
      RATE_LIMIT_STREAMS_PER_CALLER: 1,
      RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: 10,
    });
    const release = limits.openStream('api-key:x');
    assert.throws(
      () => limits.openStream('api-key:x'),
      (error: { code?: string; headers?: Record<string, string> }) =>
        error.code === 'TOO_MANY_REQUESTS' && error.headers?.['retry-after'] === '5',
    );
    release();
    limits.openStream('api-key:x')();
  });
});

describe('rate limits', () => {
  const api = useUnreachableApp('limits', {
    ...apiKeysEnv(key, limited),
    RATE_LIMIT_PER_MINUTE: '5',
    RATE_LIMIT_WAITS_PER_MINUTE: '1',
  });

  it('answers 429 with Retry-After and the RateLimit headers once a caller is over its limit; others go on', async () => {
    for (let i = 0; i < 5; i += 1) {
      const ok = await request(api.app).get('/api/me').set('x-api-key', key.key).expect(200);
      assert.equal(ok.headers['ratelimit-policy'], '"requests";q=5;w=60');
      assert.match(String(ok.headers.ratelimit), new RegExp(`^"requests";r=${4 - i};t=\\d+$`));
    }
    const refused = await request(api.app).get('/api/me').set('x-api-key', key.key);
    assertCleanErrorBody(refused, 429);
    assert.equal(refused.body.code, 'TOO_MANY_REQUESTS');
    assert.ok(Number(refused.headers['retry-after']) >= 1, String(refused.headers['retry-after']));
    assert.match(String(refused.headers.ratelimit), /^"requests";r=0;t=\d+$/);
    const trpc = await request(api.app).get('/trpc/auth.me').set('x-api-key', key.key);
    assert.equal(trpc.status, 429);
    assert.ok(trpc.headers['retry-after']);
    // Another caller has its own budget.
    await request(api.app).get('/api/me').set('x-api-key', limited.key).expect(200);
  });

  it('answers 429 to an address past its failed authentications, over REST and tRPC, even with a good key then', async () => {
    const key = testKey('good', ['workflows:read']);
    const guarded = createTestApp(api.client(), uniqueName('auth-failures'), {
      env: { ...apiKeysEnv(key), RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '3' },
    });
    for (let i = 0; i < 3; i++) {
      const path = i % 2 === 0 ? '/api/me' : '/trpc/auth.me';
      const refused = await request(guarded).get(path).set('x-api-key', `thk_guess${i}`);
      assert.equal(refused.status, 401, refused.text);
    }
    const fourth = await request(guarded).get('/api/me').set('x-api-key', 'thk_guess4');
    assertCleanErrorBody(fourth, 429);
    assert.match(fourth.body.message, /failed authentications/);
    assert.ok(Number(fourth.headers['retry-after']) >= 1);
    const trpc = await request(guarded).get('/trpc/auth.me').set('x-api-key', key.key);
    assert.equal(trpc.status, 429, trpc.text);
    const rest = await request(guarded).get('/api/me').set('x-api-key', key.key);
    assert.equal(rest.status, 429, rest.text);
  });

  it('a body of thousands of unknown fields answers a short 400 over REST and tRPC', async () => {
    const fields = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`unknown${i}`, 'x'.repeat(30)]));
    const body = JSON.stringify({ input: 'x', ...fields });
    assert.ok(body.length > 500_000);
    const open = createTestApp(api.client(), uniqueName('field-errors'));
    for (const path of ['/api/workflows/YourWorkflow', '/trpc/workflows.YourWorkflow.start']) {
      const response = await request(open).post(path).set('content-type', 'application/json').send(body);
      assert.equal(response.status, 400, path);
      assert.ok(response.text.length < 10_000, `${path}: a ${response.text.length}-byte answer`);
      assert.match(response.text, /unknown0: unknown field/);
      assert.match(response.text, /19980 more field errors not listed/);
    }
  });

  it('listens on loopback when auth is off, unless HOST says otherwise; on every interface with auth on', () => {
    assert.equal(listenHost(loadConfig({})), '127.0.0.1');
    assert.equal(listenHost(loadConfig({ HOST: '0.0.0.0' })), '0.0.0.0');
    assert.equal(listenHost(loadConfig(apiKeysEnv(testKey('k', ['workflows:read'])))), '0.0.0.0');
  });
});
