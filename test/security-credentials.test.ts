import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { assertCleanErrorBody } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';
import { useUnreachableApp } from './helpers/unreachable-app';

const first = testKey('first', ['workflows:read', 'workflows:start']);
const second = testKey('second', ['workflows:read']);

// RFC 6750 §2: a request uses one method to send its credential. With two, which one the server picks is a guess an
// attacker can steer (a proxy adds one, a client sends the other), so neither is used.
describe('two credentials in one request', () => {
  // Nothing reaches Temporal: credentials are checked first.
  const api = useUnreachableApp('credentials', apiKeysEnv(first, second));

  const both = [
    ['two different keys', { authorization: `Bearer ${first.key}`, 'x-api-key': second.key }],
    ['the same key twice', { authorization: `Bearer ${first.key}`, 'x-api-key': first.key }],
    ['a key and a malformed Authorization', { authorization: 'Basic Zm9vOmJhcg==', 'x-api-key': first.key }],
  ] as const;

  for (const [what, headers] of both) {
    it(`REST: ${what} answer 400 invalid_request`, async () => {
      const response = await request(api.app).get('/api/me').set(headers);
      assert.equal(response.status, 400, response.text);
      assert.equal(response.body.code, 'BAD_REQUEST');
      assert.match(response.body.message, /one credential/);
      assert.match(
        String(response.headers['www-authenticate']),
        /^Bearer realm="temporal-http", error="invalid_request"$/,
      );
      assertCleanErrorBody(response, 400);
    });

    it(`tRPC: ${what} answer 400 invalid_request`, async () => {
      const response = await request(api.app).get('/trpc/auth.me').set(headers);
      assert.equal(response.status, 400, response.text);
      assert.equal(response.body.error.data.code, 'BAD_REQUEST');
      assert.match(String(response.headers['www-authenticate']), /error="invalid_request"/);
    });
  }

  it('a start with two credentials is refused before anything is started', async () => {
    const response = await request(api.app)
      .post('/api/workflows/YourWorkflow')
      .set({ authorization: `Bearer ${first.key}`, 'x-api-key': first.key })
      .send({ input: 'x' });
    assert.equal(response.status, 400, response.text);
  });

  it('either credential alone is accepted', async () => {
    const bearer = await request(api.app).get('/api/me').set('authorization', `Bearer ${first.key}`).expect(200);
    assert.equal(bearer.body.caller.name, 'first', bearer.text);
    const apiKey = await request(api.app).get('/api/me').set('x-api-key', second.key).expect(200);
    assert.equal(apiKey.body.caller.name, 'second');
  });
});
