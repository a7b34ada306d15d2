import { after, before, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SCOPES } from '../../../api/auth/scopes';
import { apiKeysEnv, testKey } from '../../helpers/auth';
import { startClusterDeployment, type ClusterDeployment } from '../../helpers/cluster-deployment';
import { tally } from '../../helpers/fault-load';
import { assertCallersServed, followCallers, orderCallers } from '../../helpers/fault-runs';

// Faults of a production-shaped Temporal (npm run cluster: four services on PostgreSQL) while callers execute orders
// through two API replicas and two workers, retrying with Idempotency-Keys as the README tells them to. Each fault:
// every acknowledged order completed once, none lost or duplicated, every request answered within its bound, no 503
// hiding a started run. The load is sized for a 2-core CI machine that runs all of it.
const CALLERS = 20;
const WAIT_MS = 5_000;
// A wait answers by waitMs, plus at most the 5 s bound of the calls around it, plus slack for a loaded machine.
const REQUEST_BOUND_MS = WAIT_MS + 5_000 + 5_000;
const LOAD = { count: CALLERS, spacingMs: 100, waitMs: WAIT_MS, requestBoundMs: REQUEST_BOUND_MS, giveUpMs: 150_000 };
const KEY = testKey('fault-caller', [...SCOPES]);
const AUTH = { authorization: `Bearer ${KEY.key}` };

describe('faults of the cluster under load', () => {
  let deployment: ClusterDeployment;
  // A load balancer's view: replicas it sends to (one taken out while it is down).
  const inRotation = new Set<number>();
  let turn = 0;
  const nextUrl = (): string => {
    const live = [...inRotation];
    return deployment.apiUrls[live[turn++ % live.length] ?? 0] ?? '';
  };
  before(async () => {
    deployment = await startClusterDeployment({
      env: { ...apiKeysEnv(KEY), RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_WAITS_PER_MINUTE: '1000000' },
    });
    deployment.apiUrls.forEach((_, index) => inRotation.add(index));
  });
  after(() => deployment?.teardown());

  /** How long after `since` a fresh execute through the API completes again. */
  async function recoveredAfter(since: number): Promise<number> {
    for (;;) {
      const response = await fetch(`${nextUrl()}/api/workflows/YourWorkflow/execute`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...AUTH },
        body: JSON.stringify({ input: 'probe', waitMs: 2_000 }),
        signal: AbortSignal.timeout(REQUEST_BOUND_MS),
      }).catch(() => undefined);
      if (response?.status === 200) return Date.now() - since;
      await sleep(200);
    }
  }

  async function underLoad(t: TestContext, fault: string, inject: () => Promise<number>): Promise<void> {
    const callers = orderCallers(LOAD, nextUrl, AUTH);
    await sleep(1_000);
    const backAt = await inject();
    const recoveryMs = await recoveredAfter(backAt);
    const outcomes = await callers;
    const slowest = Math.max(...outcomes.map((outcome) => outcome.slowestMs));
    t.diagnostic(`slowest single request: ${slowest} ms (bound ${REQUEST_BOUND_MS} ms)`);
    assertCallersServed(t, CALLERS, {
      fault,
      load: `${CALLERS} callers executing OrderFulfilment through 2 API replicas, waitMs=${WAIT_MS}, retrying with Idempotency-Key`,
      ...(await followCallers(deployment.client, outcomes)),
      recoveryMs,
      answers: tally(outcomes),
    });
  }

  it('history service SIGKILLed, started again 2 s later', (t) =>
    underLoad(t, 'cluster: history SIGKILL, 2 s down', async () => {
      await deployment.cluster.stopService('history', 'SIGKILL');
      await sleep(2_000);
      await deployment.cluster.startService('history');
      return Date.now();
    }));

  it('matching service restarted (SIGTERM, started again at once)', (t) =>
    underLoad(t, 'cluster: matching restart', async () => {
      await deployment.cluster.stopService('matching', 'SIGTERM');
      await deployment.cluster.startService('matching');
      return Date.now();
    }));

  it('frontend service restarted (SIGTERM, started again at once)', (t) =>
    underLoad(t, 'cluster: frontend restart', async () => {
      await deployment.cluster.stopService('frontend', 'SIGTERM');
      await deployment.cluster.startService('frontend');
      return Date.now();
    }));

  it('PostgreSQL stopped for 15 s, then started again', (t) =>
    underLoad(t, 'cluster: PostgreSQL down 15 s', async () => {
      await deployment.cluster.postgres.stop('SIGINT');
      await sleep(15_000);
      await deployment.cluster.postgres.start();
      return Date.now();
    }));

  it('one API replica SIGKILLed while callers use both, started again 2 s later', (t) =>
    underLoad(t, 'cluster: API replica SIGKILL', async () => {
      deployment.apis[1]?.kill();
      // The load balancer notices (its health check) and takes it out; requests in flight on it were reset.
      inRotation.delete(1);
      await sleep(2_000);
      await deployment.startApi(1);
      inRotation.add(1);
      return Date.now();
    }));
});
