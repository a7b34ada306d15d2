import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import request from 'supertest';
import { SCOPES, type Scope } from '../api/auth/scopes';
import { apiConnectionOptions } from '../api/temporal/temporal-client';
import { assertCleanErrorBody, createTestApp } from './helpers/api';
import { allProcedures, apiKeysEnv, testKey, type ProcedureInfo } from './helpers/auth';
import { useUnreachableAddress } from './helpers/unreachable-temporal';
import { uniqueName } from './helpers/temporal';

// auth.me is the one procedure any authenticated caller may use: it reports the caller's own scopes.
// Any authenticated caller, whatever its scopes: who it is, and what the service offers (as public as /openapi.json).
const SCOPE_FREE = new Set(['auth.me', 'catalog.workflowTypes']);
// Public: no credentials at all; the action link's signed token in the path authorises them (meta.linkToken).
const BY_LINK_TOKEN = ['links.describe', 'links.use'];

// One key per scope holding only it, and one holding every scope but it.
const only = Object.fromEntries(SCOPES.map((scope) => [scope, testKey(`only-${scope}`, [scope])])) as Record<
  Scope,
  ReturnType<typeof testKey>
>;
const allBut = Object.fromEntries(
  SCOPES.map((scope) => [
    scope,
    testKey(
      `all-but-${scope}`,
      SCOPES.filter((other) => other !== scope),
    ),
  ]),
) as Record<Scope, ReturnType<typeof testKey>>;

/**
 * A request for a procedure that every strict input refuses (an unknown field): an allowed caller gets 400 before
 * anything reaches Temporal, so the table needs no server and starts nothing.
 */
function restCall(app: Express, procedure: ProcedureInfo): request.Test {
  const openapi = procedure.meta?.openapi;
  assert.ok(openapi, `${procedure.path} has no REST route`);
  const path = `/api${openapi.path.replace(/\{(\w+)\}/g, (_match, name: string) => (name === 'taskQueue' ? 'tq' : 'wf-1'))}`;
  const method = openapi.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  // GET and DELETE take their input from the query string, the others from the body.
  return method === 'get' || method === 'delete'
    ? request(app)[method](path).query({ notAField: 1 })
    : request(app)[method](path).send({ notAField: 1 });
}

function trpcCall(app: Express, procedure: ProcedureInfo): request.Test {
  const input = JSON.stringify({ workflowId: 'wf-1', notAField: 1 });
  return procedure.type === 'mutation'
    ? request(app).post(`/trpc/${procedure.path}`).set('content-type', 'application/json').send(input)
    : request(app).get(`/trpc/${procedure.path}`).query({ input });
}

function errorCode(response: request.Response, transport: 'rest' | 'trpc'): string | undefined {
  const body = response.body as { code?: string; error?: { data?: { code?: string } } };
  return transport === 'rest' ? body.code : body.error?.data?.code;
}

describe('scopes: every procedure, every scope, over REST and tRPC', () => {
  const unreachable = useUnreachableAddress();
  let connection: Connection;
  let app: Express;
  before(() => {
    connection = Connection.lazy(apiConnectionOptions({ address: unreachable.address() }));
    const keys = [...Object.values(only), ...Object.values(allBut)];
    app = createTestApp(new Client({ connection }), uniqueName('scopes'), {
      env: {
        ...apiKeysEnv(...keys),
        RATE_LIMIT_PER_MINUTE: '100000',
        RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: '100000',
        ACTION_LINK_SIGNING_SECRET: 'scopes-test-action-link-secret-0123456789',
      },
    });
  });
  after(async () => {
    await connection?.close();
  });

  const procedures = allProcedures();

  it('every procedure declares the scope it needs', () => {
    const missing = procedures.filter(
      (procedure) => !SCOPE_FREE.has(procedure.path) && !procedure.meta?.linkToken && !procedure.meta?.scope,
    );
    assert.deepEqual(
      missing.map((procedure) => procedure.path),
      [],
      'these procedures declare no scope in their meta',
    );
  });

  for (const procedure of procedures.filter((p) => p.meta?.scope && p.type !== 'subscription')) {
    const scope = procedure.meta?.scope as Scope;
    it(`${procedure.path} needs ${scope}: 401 without a key, 403 without the scope, allowed with it`, async () => {
      // tRPC-only procedures (the typed per-type result) have no REST route to try.
      const transports = procedure.meta?.openapi ? (['rest', 'trpc'] as const) : (['trpc'] as const);
      for (const transport of transports) {
        const call = (key?: string): request.Test => {
          const pending = transport === 'rest' ? restCall(app, procedure) : trpcCall(app, procedure);
          return key ? pending.set('x-api-key', key) : pending;
        };
        const anonymous = await call();
        assert.equal(anonymous.status, 401, `${transport} ${procedure.path} without key: ${anonymous.text}`);
        assert.equal(errorCode(anonymous, transport), 'UNAUTHORIZED');
        assert.match(String(anonymous.headers['www-authenticate']), /^Bearer realm=/);
        if (transport === 'rest') assertCleanErrorBody(anonymous, 401);

        const junk = await call().set('authorization', 'Bearer not-a-key');
        assert.equal(junk.status, 401, `${transport} ${procedure.path} junk key: ${junk.text}`);

        const refused = await call(allBut[scope].key);
        assert.equal(refused.status, 403, `${transport} ${procedure.path} without ${scope}: ${refused.text}`);
        assert.equal(errorCode(refused, transport), 'FORBIDDEN');
        assert.match(refused.text, new RegExp(`Missing scope ${scope}`));

        const allowed = await call(only[scope].key);
        assert.equal(allowed.status, 400, `${transport} ${procedure.path} with ${scope}: ${allowed.text}`);
        assert.match(allowed.text, /notAField: unknown field/);
      }
    });
  }

  it('only the action-link procedures are public, and they refuse anything but a valid link token (401)', async () => {
    const publicOnes = procedures.filter((procedure) => procedure.meta?.linkToken);
    assert.deepEqual(
      publicOnes.map((procedure) => procedure.path),
      BY_LINK_TOKEN,
    );
    for (const procedure of publicOnes) {
      assert.equal(procedure.meta?.scope, undefined, `${procedure.path} is public: it cannot also need a scope`);
      const openapi = procedure.meta?.openapi;
      assert.ok(openapi);
      const path = `/api${openapi.path.replace('{token}', 'a.b.c')}`;
      const rest = openapi.method === 'GET' ? request(app).get(path) : request(app).post(path).send({});
      assertCleanErrorBody(await rest, 401);
      const junkKey = await (openapi.method === 'GET' ? request(app).get(path) : request(app).post(path).send({})).set(
        'x-api-key',
        'not-a-key',
      );
      assert.equal(junkKey.status, 401, 'a key changes nothing: the token alone decides');
      const input = JSON.stringify({ token: 'a.b.c' });
      const trpc =
        procedure.type === 'mutation'
          ? await request(app).post(`/trpc/${procedure.path}`).set('content-type', 'application/json').send(input)
          : await request(app).get(`/trpc/${procedure.path}`).query({ input });
      assert.equal(trpc.status, 401, trpc.text);
      assert.equal(errorCode(trpc, 'trpc'), 'UNAUTHORIZED');
    }
  });

  it('the SSE progress stream needs workflows:read', async () => {
    const path = '/api/workflows/bad%20id/events';
    assert.equal((await request(app).get(path)).status, 401);
    const refused = await request(app).get(path).set('x-api-key', allBut['workflows:read'].key);
    assertCleanErrorBody(refused, 403);
    const allowed = await request(app).get(path).set('authorization', `Bearer ${only['workflows:read'].key}`);
    assertCleanErrorBody(allowed, 400);
  });

  it('auth.me answers who the caller is, over REST and tRPC; 401 without a key', async () => {
    const key = only['workflows:read'];
    const rest = await request(app).get('/api/me').set('x-api-key', key.key).expect(200);
    assert.deepEqual(rest.body, {
      authEnabled: true,
      caller: { kind: 'api-key', name: key.entry.name, scopes: ['workflows:read'], tenant: null, workflowTypes: null },
    });
    const trpc = await request(app).get('/trpc/auth.me').set('authorization', `Bearer ${key.key}`).expect(200);
    assert.deepEqual(trpc.body.result.data, rest.body);
    assertCleanErrorBody(await request(app).get('/api/me'), 401);
  });

  it('the OpenAPI document declares the API-key scheme and each operation’s scope', async () => {
    const document = (await request(app).get('/openapi.json').expect(200)).body;
    assert.deepEqual(Object.keys(document.components.securitySchemes), ['apiKey']);
    assert.deepEqual(document.paths['/workflows/{workflowId}/terminate'].post.security, [
      { apiKey: ['workflows:terminate'] },
    ]);
    assert.deepEqual(document.paths['/workflows/YourWorkflow'].post.security, [{ apiKey: ['workflows:start'] }]);
  });

  it('health and docs stay open', async () => {
    await request(app).get('/healthz').expect(200);
    await request(app).get('/openapi.json').expect(200);
    await request(app).get('/docs').expect(200);
  });
});
