import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import { SCOPES } from '../../api/auth/scopes';
import { freePortBlock } from '../../scripts/cluster/ports';
import { createPostgres, type LocalPostgres } from '../../scripts/cluster/postgres';
import { createTestApp, useTestServer } from '../helpers/api';
import { apiKeysEnv, testKey } from '../helpers/auth';
import { uniqueName } from '../helpers/temporal';

// RATE_LIMIT_POSTGRES_URL: two replicas (two apps, each its own limiter) count one caller in one place. PostgreSQL
// is npm run cluster's (Debian's binaries, a directory of its own); Temporal is the dev server, since the point is
// the counters.
const LIMIT = 6;
const KEY = testKey('shared-caller', [...SCOPES]);
const WARM_UP = testKey('warm-up', [...SCOPES]);

describe('per-caller limits shared by API replicas through PostgreSQL', () => {
  const server = useTestServer();
  let postgres: LocalPostgres;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'temporal-http-limits-'));
    chmodSync(dir, 0o755); // PostgreSQL runs as its own user when we are root
    const [port] = await freePortBlock(1);
    postgres = createPostgres(join(dir, 'postgresql'), port ?? 0, { PATH: '/usr/bin:/bin' });
    await postgres.start();
  });
  after(async () => {
    await postgres?.stop('SIGINT');
    rmSync(dir, { recursive: true, force: true });
  });

  const replicas = (): ReturnType<typeof createTestApp>[] => {
    const env = {
      ...apiKeysEnv(KEY, WARM_UP),
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_POSTGRES_URL: postgres.url,
    };
    const taskQueue = uniqueName('tq');
    return [createTestApp(server.env.client, taskQueue, { env }), createTestApp(server.env.client, taskQueue, { env })];
  };
  const list = (app: ReturnType<typeof createTestApp>) =>
    request(app).get('/api/workflows?pageSize=1').set('authorization', `Bearer ${KEY.key}`);

  it('one caller spread over two replicas gets its limit once, not twice', async () => {
    const apps = replicas();
    // Each replica creates the counters' table on start-up; a request before that counts in memory (fail-open).
    for (const app of apps)
      await request(app).get('/api/workflows?pageSize=1').set('authorization', `Bearer ${WARM_UP.key}`);
    const statuses: number[] = [];
    for (let index = 0; index < LIMIT * 2; index++) statuses.push((await list(apps[index % 2]!)).status);
    assert.deepEqual(
      statuses,
      [...Array<number>(LIMIT).fill(200), ...Array<number>(LIMIT).fill(429)],
      'the first LIMIT requests pass, whichever replica served them; every later one is refused',
    );
    const refused = await list(apps[0]!);
    assert.match(String(refused.headers.ratelimit), /"requests";r=0;/);
  });

  it('the store unreachable: each replica answers and counts alone (fail-open), never a 500 nor a hang', async () => {
    const apps = replicas();
    await postgres.stop('SIGINT');
    try {
      const statuses: number[] = [];
      for (let index = 0; index < LIMIT * 2 + 2; index++) {
        const startedAt = Date.now();
        statuses.push((await list(apps[index % 2]!)).status);
        assert.ok(Date.now() - startedAt < 5_000, 'a request is not held by the unreachable store');
      }
      // Each replica's in-memory insurance allows LIMIT: 2 × LIMIT in all, then refusals.
      assert.equal(statuses.filter((status) => status === 200).length, LIMIT * 2, statuses.join(' '));
      assert.deepEqual(statuses.slice(-2), [429, 429]);
    } finally {
      await postgres.start();
    }
  });
});
