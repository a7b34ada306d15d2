import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { workflowIdFromKey } from '../../api/operations/idempotency';
import { finalStatus, reportFigures, runCount, startFaultCluster, type FaultCluster } from '../helpers/fault-cluster';
import { executeUntilAcknowledged, runCallers, tally } from '../helpers/fault-load';
import { orderInput } from '../helpers/orders';
import { uniqueName } from '../helpers/temporal';

const CALLERS = 40;

describe('fault: the API SIGKILLed and restarted while clients retry with the same Idempotency-Key', () => {
  let cluster: FaultCluster;
  before(async () => {
    cluster = await startFaultCluster();
    await cluster.startWorker();
  });
  after(() => cluster?.teardown());

  it('runs exactly one execution per key', async (t) => {
    const api = await cluster.startApi();
    const giveUpAt = Date.now() + 60_000;
    const callers = runCallers(CALLERS, 50, () =>
      executeUntilAcknowledged({
        baseUrl: () => cluster.apiUrl,
        path: '/api/workflows/OrderFulfilment/execute',
        body: { input: orderInput(), waitMs: 10_000 },
        key: uniqueName('key'),
        requestBoundMs: 25_000,
        giveUpAt,
      }),
    );
    await sleep(1_000);
    const killedAt = Date.now();
    await api.stop('SIGKILL', 1_000);
    await sleep(1_000);
    await cluster.startApi();
    const backAt = Date.now();
    const outcomes = await callers;
    let completed = 0;
    let failed = 0;
    let lost = 0;
    let duplicated = 0;
    for (const outcome of outcomes) {
      const workflowId = workflowIdFromKey('OrderFulfilment', outcome.key);
      const status = await finalStatus(cluster.client, workflowId);
      const runs = await runCount(cluster.client, workflowId);
      if (runs > 1) duplicated += 1;
      if (!outcome.acknowledged) continue;
      if (status === 'COMPLETED') completed += 1;
      else if (status === 'NOT_FOUND') lost += 1;
      else failed += 1;
    }
    const acknowledged = outcomes.filter((o) => o.acknowledged).length;
    const answers = tally(outcomes);
    reportFigures((message) => t.diagnostic(message), {
      fault: 'API SIGKILLed, restarted 1 s later',
      load: `${CALLERS} callers executing OrderFulfilment (waitMs=10000), retrying resets and 503s with the same key`,
      acknowledged,
      completed,
      failed,
      lost,
      duplicated,
      recoveryMs: backAt - killedAt,
      answers,
    });
    assert.ok((answers['reset'] ?? 0) > 0, 'the kill cut open requests (else the test proves nothing)');
    assert.equal(answers['hang'] ?? 0, 0, 'every request answered (or cut) by its bound');
    assert.equal(answers['503 hiding a run'] ?? 0, 0, 'no 503 hides a started run');
    assert.equal(answers['other'] ?? 0, 0, 'no answer outside 200/202/503');
    assert.equal(acknowledged, CALLERS);
    assert.equal(completed, CALLERS);
    assert.equal(duplicated, 0, 'exactly one execution per key');
    assert.equal(lost + failed, 0);
  });
});
