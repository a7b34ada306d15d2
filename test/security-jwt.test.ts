import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import request from 'supertest';
import { apiConnectionOptions } from '../api/temporal/temporal-client';
import { checkApiConfig, jwtTenantRequired, loadConfig } from '../common/config';
import { assertCleanErrorBody, createTestApp } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { useUnreachableAddress } from './helpers/unreachable-temporal';
import { uniqueName } from './helpers/temporal';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'temporal-http';

interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  publicJwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

function token(
  key: SigningKey,
  claims: Record<string, unknown> = {},
  opts: { issuer?: string; audience?: string; expiresIn?: string | number; notBefore?: string | number } = {},
): Promise<string> {
  const jwt = new SignJWT({ scope: 'workflows:read', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setSubject('user-1')
    .setIssuer(opts.issuer ?? ISSUER)
    .setAudience(opts.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '5m');
  if (opts.notBefore !== undefined) jwt.setNotBefore(opts.notBefore);
  return jwt.sign(key.privateKey);
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('JWT bearer tokens verified against a JWKS served on loopback', () => {
  const unreachable = useUnreachableAddress();
  let jwksServer: Server;
  let published: JWK[] = [];
  let connection: Connection;
  let app: Express;
  let first: SigningKey;

  before(async () => {
    first = await signingKey('key-1');
    published = [first.publicJwk];
    jwksServer = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as AddressInfo;
    connection = Connection.lazy(apiConnectionOptions({ address: unreachable.address() }));
    app = createTestApp(new Client({ connection }), uniqueName('jwt'), {
      env: {
        AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
        AUTH_JWT_ISSUER: ISSUER,
        AUTH_JWT_AUDIENCE: AUDIENCE,
        AUTH_JWKS_COOLDOWN_MS: '0',
        AUTH_JWT_CLOCK_TOLERANCE_S: '5',
      },
    });
  });
  after(async () => {
    jwksServer?.closeAllConnections();
    await new Promise((resolve) => jwksServer?.close(resolve));
    await connection?.close();
  });

  const me = (jwt: string): request.Test => request(app).get('/api/me').set('authorization', `Bearer ${jwt}`);

  async function assertRefused(jwt: string, why: RegExp): Promise<void> {
    const response = await me(jwt);
    assertCleanErrorBody(response, 401);
    assert.equal(response.body.code, 'UNAUTHORIZED');
    assert.match(String(response.headers['www-authenticate']), /error="invalid_token"/);
    assert.match(response.body.message, why);
  }

  it('accepts a valid token: subject, scopes and tenant from its claims', async () => {
    const response = await me(await token(first, { scope: 'workflows:read workflows:start openid', tenant: 'acme' }));
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body.caller, {
      kind: 'jwt',
      name: 'user-1',
      scopes: ['workflows:start', 'workflows:read'],
      tenant: 'acme',
      workflowTypes: null,
    });
  });

  it('refuses an expired token', async () => {
    await assertRefused(await token(first, {}, { expiresIn: Math.floor(Date.now() / 1000) - 60 }), /expired/);
  });

  it('refuses a token not yet valid', async () => {
    await assertRefused(await token(first, {}, { notBefore: Math.floor(Date.now() / 1000) + 600 }), /nbf/);
  });

  it('refuses a wrong issuer and a wrong audience', async () => {
    await assertRefused(await token(first, {}, { issuer: 'https://evil.test' }), /iss/);
    await assertRefused(await token(first, {}, { audience: 'someone-else' }), /aud/);
  });

  it('refuses alg "none"', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'user-1', iss: ISSUER, aud: AUDIENCE, exp: now + 300, scope: 'workflows:terminate' })}.`;
    await assertRefused(unsigned, /token algorithm not allowed|invalid token/);
  });

  it('refuses HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(first.publicJwk));
    const forged = await new SignJWT({ scope: 'workflows:terminate' })
      .setProtectedHeader({ alg: 'HS256', kid: first.kid })
      .setSubject('user-1')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(secret);
    await assertRefused(forged, /token algorithm not allowed/);
  });

  it('refuses a token signed by a key the JWKS does not hold (unknown kid)', async () => {
    await assertRefused(await token(await signingKey('stranger')), /unknown key/);
  });

  it('follows a key rotation: a token of the new key is accepted once the JWKS publishes it', async () => {
    const second = await signingKey('key-2');
    const rotated = await token(second);
    await assertRefused(rotated, /unknown key/);
    try {
      published = [first.publicJwk, second.publicJwk];
      assert.equal((await me(rotated)).status, 200);
      published = [second.publicJwk];
      assert.equal((await me(await token(second))).status, 200);
    } finally {
      // The other tests sign with the first key: leave the JWKS as they expect it, whatever order they run in.
      published = [first.publicJwk];
    }
  });

  it('with the tenant claim required, a token without it is refused over REST and tRPC; one with it is not', async () => {
    const { port } = jwksServer.address() as AddressInfo;
    const strict = createTestApp(new Client({ connection }), uniqueName('jwt-tenant'), {
      env: {
        AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
        AUTH_JWT_ISSUER: ISSUER,
        AUTH_JWT_AUDIENCE: AUDIENCE,
        AUTH_JWT_REQUIRE_TENANT: 'true',
      },
    });
    const untenanted = await token(first);
    const rest = await request(strict).get('/api/me').set('authorization', `Bearer ${untenanted}`);
    assertCleanErrorBody(rest, 401);
    assert.match(rest.body.message, /no "tenant" claim/);
    const trpc = await request(strict).get('/trpc/auth.me').set('authorization', `Bearer ${untenanted}`);
    assert.equal(trpc.status, 401, trpc.text);
    const tenanted = await token(first, { tenant: 'acme' });
    const allowed = await request(strict).get('/trpc/auth.me').set('authorization', `Bearer ${tenanted}`);
    assert.equal(allowed.status, 200, allowed.text);
    assert.equal(allowed.body.result.data.caller.tenant, 'acme');
  });
});

describe('JWT operations: algorithms, claims, cooldown, clock tolerance, an unreachable JWKS', () => {
  const unreachable = useUnreachableAddress();
  const servers: Server[] = [];
  let connection: Connection;

  /** A JWKS endpoint of the test's own that counts its fetches; `answer` may fail it. */
  async function jwksEndpoint(keys: () => JWK[], answer: 'ok' | 'broken' = 'ok') {
    let fetches = 0;
    const jwks = createServer((_req, res) => {
      fetches += 1;
      if (answer === 'broken') {
        res.statusCode = 500;
        res.end('down');
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: keys() }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    servers.push(jwks);
    return { url: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`, fetches: () => fetches };
  }

  function appWith(env: Record<string, string>): Express {
    return createTestApp(new Client({ connection }), uniqueName('jwt-ops'), {
      env: { AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_AUDIENCE: AUDIENCE, ...env },
    });
  }

  before(() => {
    connection = Connection.lazy(apiConnectionOptions({ address: unreachable.address() }));
  });
  after(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await connection?.close();
  });

  it('accepts ES256 tokens from the JWKS', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const publicJwk = { ...(await exportJWK(publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' };
    const jwks = await jwksEndpoint(() => [publicJwk]);
    const app = appWith({ AUTH_JWKS_URL: jwks.url });
    const jwt = await new SignJWT({ scope: 'workflows:read' })
      .setProtectedHeader({ alg: 'ES256', kid: 'ec-1' })
      .setSubject('ec-user')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(privateKey);
    const response = await request(app).get('/api/me').set('authorization', `Bearer ${jwt}`);
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.caller.name, 'ec-user');
  });

  it('reads scopes from the claim AUTH_JWT_SCOPES_CLAIM names (scp, as an array)', async () => {
    const key = await signingKey('scp-key');
    const jwks = await jwksEndpoint(() => [key.publicJwk]);
    const app = appWith({ AUTH_JWKS_URL: jwks.url, AUTH_JWT_SCOPES_CLAIM: 'scp' });
    const jwt = await token(key, { scope: undefined, scp: ['workflows:read', 'workflows:cancel'] });
    const response = await request(app).get('/api/me').set('authorization', `Bearer ${jwt}`);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body.caller.scopes, ['workflows:read', 'workflows:cancel']);
  });

  it('accepts API keys and JWTs together when both are configured', async () => {
    const key = await signingKey('both-key');
    const jwks = await jwksEndpoint(() => [key.publicJwk]);
    const apiKey = testKey('script', ['workflows:read']);
    const app = appWith({ AUTH_JWKS_URL: jwks.url, ...apiKeysEnv(apiKey) });
    const byJwt = await request(app)
      .get('/api/me')
      .set('authorization', `Bearer ${await token(key)}`);
    assert.equal(byJwt.body.caller?.kind, 'jwt', byJwt.text);
    const byKey = await request(app).get('/api/me').set('x-api-key', apiKey.key);
    assert.equal(byKey.body.caller?.kind, 'api-key', byKey.text);
    await request(app).get('/api/me').set('x-api-key', 'thk_unknown').expect(401);
  });

  it('accepts a token expired within the clock tolerance and refuses one past it', async () => {
    const key = await signingKey('clock-key');
    const jwks = await jwksEndpoint(() => [key.publicJwk]);
    const app = appWith({ AUTH_JWKS_URL: jwks.url, AUTH_JWT_CLOCK_TOLERANCE_S: '30' });
    const now = Math.floor(Date.now() / 1000);
    const within = await request(app)
      .get('/api/me')
      .set('authorization', `Bearer ${await token(key, {}, { expiresIn: now - 10 })}`);
    assert.equal(within.status, 200, within.text);
    const past = await request(app)
      .get('/api/me')
      .set('authorization', `Bearer ${await token(key, {}, { expiresIn: now - 60 })}`);
    assertCleanErrorBody(past, 401);
    assert.match(past.body.message, /expired/);
  });

  it('does not refetch the JWKS within its cooldown: a new key is unknown until it ends', async () => {
    const first = await signingKey('cool-1');
    const second = await signingKey('cool-2');
    let published = [first.publicJwk];
    const jwks = await jwksEndpoint(() => published);
    const app = appWith({ AUTH_JWKS_URL: jwks.url, AUTH_JWKS_COOLDOWN_MS: '60000' });
    await request(app)
      .get('/api/me')
      .set('authorization', `Bearer ${await token(first)}`)
      .expect(200);
    published = [first.publicJwk, second.publicJwk];
    const refused = await request(app)
      .get('/api/me')
      .set('authorization', `Bearer ${await token(second)}`);
    assertCleanErrorBody(refused, 401);
    assert.match(refused.body.message, /unknown key/);
    assert.equal(jwks.fetches(), 1, 'one fetch: the unknown kid did not refetch within the cooldown');
  });

  it('answers 503 with Retry-After, not 401, when the JWKS answers an error or nothing listens there', async () => {
    const key = await signingKey('down-key');
    const broken = await jwksEndpoint(() => [], 'broken');
    const gone = await jwksEndpoint(() => []);
    const goneServer = servers.pop() as Server;
    await new Promise((resolve) => goneServer.close(resolve));
    for (const [name, url] of [
      ['a JWKS answering 500', broken.url],
      ['no JWKS listening', gone.url],
    ] as const) {
      const app = appWith({ AUTH_JWKS_URL: url });
      const response = await request(app)
        .get('/api/me')
        .set('authorization', `Bearer ${await token(key)}`);
      assert.equal(response.status, 503, `${name}: ${response.text}`);
      assertCleanErrorBody(response, 503);
      assert.equal(response.body.code, 'SERVICE_UNAVAILABLE');
      assert.equal(response.headers['retry-after'], '1');
      assert.match(response.body.message, /cannot be verified now/);
    }
    assert.ok(broken.fetches() >= 1);
  });
});

describe('JWT settings', () => {
  const tenantKey = testKey('acme', ['workflows:read'], { tenant: 'acme' });
  const plainKey = testKey('ops', ['workflows:read']);

  it('requires the tenant claim by default in production once any API key carries a tenant', () => {
    const production = { NODE_ENV: 'production' };
    assert.equal(jwtTenantRequired(loadConfig({ ...production, ...apiKeysEnv(tenantKey, plainKey) })), true);
    assert.equal(jwtTenantRequired(loadConfig({ ...production, ...apiKeysEnv(plainKey) })), false);
    assert.equal(jwtTenantRequired(loadConfig({ ...apiKeysEnv(tenantKey) })), false, 'development');
    const optedOut = { ...production, ...apiKeysEnv(tenantKey), AUTH_JWT_REQUIRE_TENANT: 'false' };
    assert.equal(jwtTenantRequired(loadConfig(optedOut)), false);
    assert.equal(jwtTenantRequired(loadConfig({ AUTH_JWT_REQUIRE_TENANT: 'true' })), true);
  });

  it('production refuses a JWKS over http and a refetch cooldown under a second', () => {
    const jwt = { NODE_ENV: 'production', AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_AUDIENCE: AUDIENCE };
    assert.throws(
      () => checkApiConfig(loadConfig({ ...jwt, AUTH_JWKS_URL: 'http://idp.test/jwks.json' })),
      /AUTH_JWKS_URL: production fetches signing keys over https only/,
    );
    assert.throws(
      () =>
        checkApiConfig(loadConfig({ ...jwt, AUTH_JWKS_URL: 'https://idp.test/jwks.json', AUTH_JWKS_COOLDOWN_MS: '0' })),
      /AUTH_JWKS_COOLDOWN_MS: at least 1000 in production/,
    );
    checkApiConfig(loadConfig({ ...jwt, AUTH_JWKS_URL: 'https://idp.test/jwks.json' }));
  });
});
