import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import request from 'supertest';
import { useTestServer, withApi } from './helpers/api';
import { eventually } from './helpers/orders';
import { uniqueName } from './helpers/temporal';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'temporal-http';
// An identity provider that puts the organisation in a namespaced claim, as Auth0 and others require.
const CLAIM = 'https://example.com/org';

// AUTH_JWT_TENANT_CLAIM (README "Authentication"): the tenant comes from the claim the service names, and it isolates
// runs exactly as a key's tenant does.
describe('JWTs with a custom tenant claim, against a real dev server', () => {
  const server = useTestServer();
  let jwks: Server;
  let privateKey: KeyLike;
  let env: Record<string, string>;

  before(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    env = {
      AUTH_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
      AUTH_JWT_ISSUER: ISSUER,
      AUTH_JWT_AUDIENCE: AUDIENCE,
      AUTH_JWT_TENANT_CLAIM: CLAIM,
    };
  });
  after(async () => {
    jwks.closeAllConnections();
    await new Promise((resolve) => jwks.close(resolve));
  });

  const tokenFor = (claims: Record<string, unknown>): Promise<string> =>
    new SignJWT({ scope: 'workflows:read workflows:start', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('user-1')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);

  it('gives the caller the tenant in the configured claim: its runs are its own, another tenant gets 404', async () => {
    const acme = `Bearer ${await tokenFor({ [CLAIM]: 'acme' })}`;
    const globex = `Bearer ${await tokenFor({ [CLAIM]: 'globex' })}`;
    // The default claim name means nothing here: this token's caller has no tenant from it.
    const defaultClaim = `Bearer ${await tokenFor({ tenant: 'acme' })}`;
    await withApi(
      server,
      async ({ app }) => {
        const me = await request(app).get('/api/me').set('authorization', acme).expect(200);
        assert.equal(me.body.caller.tenant, 'acme');
        const plain = await request(app).get('/api/me').set('authorization', defaultClaim).expect(200);
        assert.equal(plain.body.caller.tenant, null);

        const workflowId = uniqueName('claim');
        const started = await request(app)
          .post('/api/workflows/YourWorkflow')
          .set('authorization', acme)
          .send({ workflowId, input: 'Acme' })
          .expect(200);
        const runId = started.body.runId as string;
        await request(app).get(`/api/workflows/${workflowId}`).set('authorization', acme).expect(200);
        const hidden = await request(app).get(`/api/workflows/${workflowId}`).set('authorization', globex);
        assert.equal(hidden.status, 404, hidden.text);
        const result = await request(app).get(`/api/workflows/${workflowId}/result`).set('authorization', globex);
        assert.equal(result.status, 404, result.text);

        // Listed for acme (once visibility has it), never for globex.
        await eventually('acme lists its run', async () => {
          const list = await request(app).get('/api/workflows?type=YourWorkflow').set('authorization', acme);
          const ids = (list.body.workflows as { workflowId: string }[]).map((run) => run.workflowId);
          return ids.includes(workflowId) ? true : undefined;
        });
        const listed = await request(app).get('/api/workflows?type=YourWorkflow').set('authorization', globex);
        assert.equal(listed.status, 200, listed.text);
        const ids = (listed.body.workflows as { workflowId: string; runId: string }[]).map((run) => run.runId);
        assert.ok(!ids.includes(runId), 'globex lists none of acme’s runs');
      },
      {},
      env,
    );
  });
});
