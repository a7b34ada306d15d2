import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { DEVELOPMENT_RATE_LIMITS, loadConfig } from '../common/config';
import { createTestApp, useTestServer, withApi } from './helpers/api';
import { apiKeysEnv, testKey } from './helpers/auth';

// Someone trying the service with `npm run dev` (auth off) in a loop is one caller: production's per-caller limits
// (60 waits a minute) stopped them after 60 executes.
describe('per-caller rate limits in development', () => {
  const server = useTestServer();

  it('80 executes in a row from one caller all complete, with no 429', () =>
    withApi(server, async ({ app }) => {
      for (let i = 0; i < 80; i += 1) {
        const response = await request(app)
          .post('/api/workflows/YourWorkflow/execute')
          .send({ input: `loop ${i}` });
        assert.equal(response.status, 200, `execute ${i}: ${response.text}`);
        assert.equal(response.body.status, 'COMPLETED');
      }
    }));

  it('production and tests keep the production defaults; a variable that is set wins everywhere', () => {
    for (const NODE_ENV of ['production', 'test']) {
      const config = loadConfig({ NODE_ENV });
      assert.equal(config.RATE_LIMIT_PER_MINUTE, 600, NODE_ENV);
      assert.equal(config.RATE_LIMIT_WAITS_PER_MINUTE, 60, NODE_ENV);
    }
    for (const env of [{}, { NODE_ENV: 'development' }, { NODE_ENV: '' }]) {
      const config = loadConfig(env);
      assert.equal(config.RATE_LIMIT_PER_MINUTE, DEVELOPMENT_RATE_LIMITS.RATE_LIMIT_PER_MINUTE);
      assert.equal(config.RATE_LIMIT_WAITS_PER_MINUTE, DEVELOPMENT_RATE_LIMITS.RATE_LIMIT_WAITS_PER_MINUTE);
    }
    assert.equal(loadConfig({ RATE_LIMIT_WAITS_PER_MINUTE: '7' }).RATE_LIMIT_WAITS_PER_MINUTE, 7);
    assert.equal(loadConfig({ NODE_ENV: 'production', RATE_LIMIT_PER_MINUTE: '9' }).RATE_LIMIT_PER_MINUTE, 9);
  });

  it('production still answers the 61st wait in a minute with 429', async () => {
    const key = testKey('loop', ['workflows:read']);
    const app = createTestApp(server.env.client, 'unused', { env: { NODE_ENV: 'production', ...apiKeysEnv(key) } });
    const statuses: number[] = [];
    for (let i = 0; i < 61; i += 1) {
      // waitMs > 0 counts as a wait; an unknown ID answers 404 at once, so nothing waits for long.
      const response = await request(app).get('/api/workflows/absent/result?waitMs=1').set('x-api-key', key.key);
      statuses.push(response.status);
    }
    assert.deepEqual(new Set(statuses.slice(0, 60)), new Set([404]));
    assert.equal(statuses[60], 429);
  });
});
