import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { useFaultCluster } from '../helpers/fault-cluster';
import { tally } from '../helpers/fault-load';
import { assertCallersServed, followCallers, orderCallers } from '../helpers/fault-runs';

const CALLERS = 40;
const LOAD = { count: CALLERS, spacingMs: 50, waitMs: 10_000, requestBoundMs: 25_000, giveUpMs: 60_000 };

describe('fault: the API SIGKILLed and restarted while clients retry with the same Idempotency-Key', () => {
  const cluster = useFaultCluster((started) => started.startWorker());

  it('runs exactly one execution per key', async (t) => {
    const api = await cluster.startApi();
    const callers = orderCallers(LOAD, () => cluster.apiUrl);
    await sleep(1_000);
    const killedAt = Date.now();
    await api.stop('SIGKILL', 1_000);
    await sleep(1_000);
    await cluster.startApi();
    const backAt = Date.now();
    const outcomes = await callers;
    const answers = tally(outcomes);
    assertCallersServed(t, CALLERS, {
      fault: 'API SIGKILLed, restarted 1 s later',
      load: `${CALLERS} callers executing OrderFulfilment (waitMs=10000), retrying resets and 503s with the same key`,
      ...(await followCallers(cluster.client, outcomes)),
      recoveryMs: backAt - killedAt,
      answers,
    });
    assert.ok((answers['reset'] ?? 0) > 0, 'the kill cut open requests (else the test proves nothing)');
  });
});
