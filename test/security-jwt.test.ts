import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import request from 'supertest';
import { apiConnectionOptions } from '../api/temporal-client';
import { checkApiConfig, jwtTenantRequired, loadConfig } from '../common/config';
import { assertCleanErrorBody, createTestApp } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { freePort } from './helpers/processes';
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
    connection = Connection.lazy(apiConnectionOptions({ address: `127.0.0.1:${await freePort()}` }));
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
    await assertRefused(unsigned, /./);
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
    await assertRefused(forged, /./);
  });

  it('refuses a token signed by a key the JWKS does not hold (unknown kid)', async () => {
    await assertRefused(await token(await signingKey('stranger')), /unknown key/);
  });

  it('follows a key rotation: a token of the new key is accepted once the JWKS publishes it', async () => {
    const second = await signingKey('key-2');
    const rotated = await token(second);
    await assertRefused(rotated, /unknown key/);
    published = [first.publicJwk, second.publicJwk];
    assert.equal((await me(rotated)).status, 200);
    published = [second.publicJwk];
    assert.equal((await me(await token(second))).status, 200);
  });

  it('with the tenant claim required, a token without it is refused over REST and tRPC; one with it is not', async () => {
    published = [...published, first.publicJwk]; // the rotation test above may have retired it
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
