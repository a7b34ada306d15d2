import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { reportFigures, startFaultCluster, type FaultCluster } from '../helpers/fault-cluster';
import { uniqueName } from '../helpers/temporal';

// The admission bound under test, and twice as many callers as it admits, each sending back to back: a closed loop
// on loopback (no client can outrun the API's answers, so the test stays bounded on a shared machine).
const MAX_IN_FLIGHT = 32;
const CALLERS = 2 * MAX_IN_FLIGHT * 2;
const DURATION_MS = 15_000;
const REQUEST_BOUND_MS = 15_000;

interface Sent {
  workflowId: string;
  status: number | 'hang' | 'reset';
  ms: number;
  /** A 503 from admission control: refused before anything was asked of Temporal. */
  refusedBeforeStart?: boolean;
}

describe('fault: overload at twice the saturation of the admission bound', () => {
  let cluster: FaultCluster;
  before(async () => {
    cluster = await startFaultCluster();
    await Promise.all([cluster.startWorker(), cluster.startApi({ API_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT) })]);
  });
  after(() => cluster?.teardown());

  it('answers every request by its deadline, starts nothing it refused, and serves normally afterwards', async (t) => {
    const sent: Sent[] = [];
    const endAt = Date.now() + DURATION_MS;
    const caller = async (): Promise<void> => {
      while (Date.now() < endAt) {
        const workflowId = uniqueName('overload');
        const startedAt = Date.now();
        try {
          const response = await fetch(`${cluster.apiUrl}/api/workflows/YourWorkflow/execute`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ input: 'load', workflowId, waitMs: 5_000 }),
            signal: AbortSignal.timeout(REQUEST_BOUND_MS),
          });
          const body = (await response.json().catch(() => ({}))) as { message?: string };
          const refusedBeforeStart = response.status === 503 && /Overloaded/.test(body.message ?? '');
          sent.push({ workflowId, status: response.status, ms: Date.now() - startedAt, refusedBeforeStart });
          if (response.status === 503) await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
        } catch (error) {
          const kind = error instanceof Error && error.name === 'TimeoutError' ? 'hang' : 'reset';
          sent.push({ workflowId, status: kind, ms: Date.now() - startedAt });
        }
      }
    };
    await Promise.all(Array.from({ length: CALLERS }, caller));

    const count = (status: Sent['status']) => sent.filter((s) => s.status === status).length;
    const refused = sent.filter((s) => s.refusedBeforeStart);
    // A refused request started nothing: check a sample against Temporal itself (describe is strongly consistent).
    let startedForRefused = 0;
    for (const { workflowId } of refused.slice(0, 200)) {
      try {
        await cluster.client.workflow.getHandle(workflowId).describe();
        startedForRefused += 1;
      } catch {
        // not found: nothing started
      }
    }
    const completed = count(200);
    const after = await fetch(`${cluster.apiUrl}/api/workflows/YourWorkflow/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'after', waitMs: 30_000 }),
    });
    const answers = Object.fromEntries(
      [...new Set(sent.map((s) => String(s.status)))].map((status) => [
        status,
        sent.filter((s) => String(s.status) === status).length,
      ]),
    );
    const slowest = Math.max(...sent.map((s) => s.ms));
    t.diagnostic(
      `${sent.length} requests in ${DURATION_MS} ms; completed ${(completed / (DURATION_MS / 1000)).toFixed(1)}/s; slowest ${slowest} ms`,
    );
    reportFigures((message) => t.diagnostic(message), {
      fault: `overload: ${CALLERS} back-to-back callers, API_MAX_IN_FLIGHT=${MAX_IN_FLIGHT}`,
      load: `${sent.length} YourWorkflow executes in ${DURATION_MS / 1000} s`,
      acknowledged: completed,
      completed,
      failed: count(500),
      lost: 0,
      duplicated: 0,
      recoveryMs: null,
      answers: {
        ...answers,
        '503 Overloaded (admission)': refused.length,
        'started for a refused request (of 200 checked)': startedForRefused,
      },
    });
    assert.equal(count('hang'), 0, 'every request answered by its bound');
    assert.ok(refused.length > 0, 'the load went past the bound (else the test proves nothing)');
    assert.equal(startedForRefused, 0, 'no workflow started for a refused request');
    assert.deepEqual(
      Object.keys(answers).filter((status) => !['200', '202', '503'].includes(status)),
      [],
      'only 200, 202 (RUNNING, with resultUrl, by the wait deadline) and 503 answers',
    );
    assert.equal(after.status, 200, 'normal service afterwards');
  });
});
