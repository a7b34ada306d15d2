import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { reportFigures, useFaultCluster } from '../helpers/fault-cluster';
import { followRuns } from '../helpers/fault-runs';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { uniqueName } from '../helpers/temporal';

// The frontend closes every gRPC connection after this age (GOAWAY); 5 minutes by default. Set to 30 s here so that
// the soak crosses the boundary about three times on the API's connection and on the worker's.
const CONNECTION_AGE_MS = 30_000;
const SOAK_MS = 100_000;
const RATE_PER_SECOND = 2;

/** Connections opened at least one connection age after the first: each is a reconnect across the boundary. */
function reconnects(proxy: TcpProxy): number {
  const [first] = proxy.openedAt;
  return first === undefined ? 0 : proxy.openedAt.filter((at) => at >= first + CONNECTION_AGE_MS * 0.8).length;
}

describe('fault: a soak across the server connection-age limit', () => {
  // The API and the worker reach Temporal through proxies of the test's own, which see every (re)connection.
  let apiProxy: TcpProxy;
  let workerProxy: TcpProxy;
  const cluster = useFaultCluster(
    async (started) => {
      [apiProxy, workerProxy] = await Promise.all([
        startTcpProxy(started.temporalAddress),
        startTcpProxy(started.temporalAddress),
      ]);
      await Promise.all([
        started.startWorker({ TEMPORAL_ADDRESS: workerProxy.address }),
        started.startApi({ TEMPORAL_ADDRESS: apiProxy.address }),
      ]);
    },
    { temporalArgs: ['--dynamic-config-value', `frontend.keepAliveMaxConnectionAge="${CONNECTION_AGE_MS / 1000}s"`] },
  );
  after(() => Promise.all([apiProxy?.close(), workerProxy?.close()]));

  it(
    `executes steadily for ${SOAK_MS / 1000} s across connection-age boundaries and completes every acknowledged run`,
    { timeout: SOAK_MS + 180_000 },
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
              const text = await response.text();
              statuses[response.status] = (statuses[response.status] ?? 0) + 1;
              if (response.status === 200 || response.status === 202)
                acknowledged.push((JSON.parse(text) as { workflowId: string }).workflowId);
              else failures.push(`${new Date().toISOString()} ${response.status} ${text}`);
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
      // Every acknowledged run, followed to its end in Temporal itself.
      const { unfinished, ...runs } = await followRuns(cluster.client, acknowledged);
      const total = Object.values(statuses).reduce((a, b) => a + b, 0);
      const crossed = { api: reconnects(apiProxy), worker: reconnects(workerProxy) };
      t.diagnostic(`slowest ${slowest} ms; reconnects across the age limit: ${JSON.stringify(crossed)}`);
      t.diagnostic(`failures: ${failures.slice(0, 5).join(' | ')}`);
      reportFigures((message) => t.diagnostic(message), {
        fault: `soak, ${SOAK_MS / 1000} s, server connection-age limit ${CONNECTION_AGE_MS / 1000} s (API reconnected ${crossed.api}×, worker ${crossed.worker}×)`,
        load: `${RATE_PER_SECOND} YourWorkflow executes/s with Idempotency-Key (${total} in all)`,
        acknowledged: acknowledged.length,
        ...runs,
        recoveryMs: null,
        answers: statuses,
      });
      // 100 s at a 30 s age (±10% jitter): at least two boundaries crossed on each connection.
      assert.ok(crossed.api >= 2, 'the API reconnected across the connection-age limit (else the soak proves nothing)');
      assert.ok(crossed.worker >= 2, 'the worker reconnected across the connection-age limit');
      assert.deepEqual(failures, [], 'every execute answered 200 or 202, across the connection-age boundaries');
      assert.equal(acknowledged.length, total);
      assert.deepEqual(unfinished, [], 'every acknowledged run completed');
      assert.equal(runs.duplicated, 0);
    },
  );
});
