import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { workflowIdFromKey } from '../../api/operations/idempotency';
import { finalStatus, reportFigures, runCount, startFaultCluster, type FaultCluster } from '../helpers/fault-cluster';
import { executeUntilAcknowledged, runCallers, tally } from '../helpers/fault-load';
import { orderInput } from '../helpers/orders';
import { uniqueName } from '../helpers/temporal';

const CALLERS = 40;
const WAIT_MS = 5_000;
// A wait answers by waitMs, plus at most the 5 s bound of the calls around it (start, describe), plus slack for a
// loaded machine. The issue saw waits of 20+ s for waitMs=5000.
const REQUEST_BOUND_MS = WAIT_MS + 5_000 + 5_000;

describe('fault: Temporal restarted while workflows run and callers wait', () => {
  let cluster: FaultCluster;
  before(async () => {
    cluster = await startFaultCluster();
    await Promise.all([cluster.startWorker(), cluster.startApi()]);
  });
  after(() => cluster?.teardown());

  it('answers every wait by its deadline, names every started run, and loses nothing acknowledged', async (t) => {
    const giveUpAt = Date.now() + 90_000;
    const callers = runCallers(CALLERS, 100, () =>
      executeUntilAcknowledged({
        baseUrl: () => cluster.apiUrl,
        // Orders take a few seconds (shipping legs), so many are in flight, and waited on, across the restart.
        path: '/api/workflows/OrderFulfilment/execute',
        body: { input: orderInput(), waitMs: WAIT_MS },
        key: uniqueName('key'),
        requestBoundMs: REQUEST_BOUND_MS,
        giveUpAt,
      }),
    );
    await sleep(2_000);
    const downAt = Date.now();
    await cluster.stopTemporal('SIGTERM');
    await sleep(3_000);
    await cluster.startTemporal();
    const upAt = Date.now();
    // Recovery: the API is ready again (its reconnect back-off is capped at 1 s).
    let readyAt = upAt;
    while ((await fetch(`${cluster.apiUrl}/readyz`).then((r) => r.status)) !== 200) {
      await sleep(100);
      readyAt = Date.now();
    }
    const outcomes = await callers;
    const answers = tally(outcomes);
    t.diagnostic(`down ${upAt - downAt} ms; API ready ${readyAt - upAt} ms after Temporal was back`);
    t.diagnostic(`answers: ${JSON.stringify(answers)}`);

    // Every acknowledged order, checked against Temporal itself.
    let completed = 0;
    let failed = 0;
    let lost = 0;
    let duplicated = 0;
    for (const outcome of outcomes) {
      const workflowId = workflowIdFromKey('OrderFulfilment', outcome.key);
      if (outcome.workflowId) assert.equal(outcome.workflowId, workflowId);
      const status = await finalStatus(cluster.client, workflowId);
      if (!outcome.acknowledged) continue;
      if (status === 'COMPLETED') completed += 1;
      else if (status === 'NOT_FOUND') lost += 1;
      else failed += 1;
      if ((await runCount(cluster.client, workflowId)) > 1) duplicated += 1;
    }
    const acknowledged = outcomes.filter((outcome) => outcome.acknowledged).length;
    reportFigures((message) => t.diagnostic(message), {
      fault: 'Temporal restarted (SIGTERM, 3 s down)',
      load: `${CALLERS} callers executing OrderFulfilment, waitMs=${WAIT_MS}, retrying with Idempotency-Key`,
      acknowledged,
      completed,
      failed,
      lost,
      duplicated,
      recoveryMs: readyAt - upAt,
      answers,
    });
    assert.equal(answers['hang'] ?? 0, 0, 'every request answered by its bound');
    assert.equal(answers['503 hiding a run'] ?? 0, 0, 'no 503 hides a started run');
    assert.equal(answers['other'] ?? 0, 0, 'no answer outside 200/202/503');
    assert.equal(acknowledged, CALLERS, 'every caller was acknowledged in the end');
    assert.equal(lost, 0);
    assert.equal(failed, 0);
    assert.equal(duplicated, 0);
    assert.equal(completed, acknowledged);
    const slowest = Math.max(...outcomes.map((outcome) => outcome.slowestMs));
    t.diagnostic(`slowest single request: ${slowest} ms (bound ${REQUEST_BOUND_MS} ms)`);
  });
});
