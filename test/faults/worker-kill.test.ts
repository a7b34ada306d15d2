import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { useFaultCluster } from '../helpers/fault-cluster';
import { tally } from '../helpers/fault-load';
import { assertCallersServed, followCallers, orderCallers } from '../helpers/fault-runs';
import type { RunningProcess } from '../helpers/processes';

const ORDERS = 30;
const LOAD = { count: ORDERS, spacingMs: 50, waitMs: 1_000, requestBoundMs: 15_000, giveUpMs: 60_000 };

/**
 * What a run's history says of one worker (identity `<pid>@<host>`, the SDK's default): whether it took a task of the
 * run, and whether a task of the run was taken over (a workflow task that timed out, an activity retried).
 */
async function historyOfWork(client: Client, workflowId: string, pid: number) {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const identities = events.flatMap((event) => [
    event.workflowTaskStartedEventAttributes?.identity,
    event.workflowTaskCompletedEventAttributes?.identity,
    event.activityTaskStartedEventAttributes?.identity,
    event.activityTaskCompletedEventAttributes?.identity,
  ]);
  const touched = identities.some((identity) => identity?.startsWith(`${pid}@`));
  const takenOver = events.some(
    (event) =>
      event.workflowTaskTimedOutEventAttributes ||
      event.activityTaskTimedOutEventAttributes ||
      (event.activityTaskStartedEventAttributes?.attempt ?? 1) > 1,
  );
  return { touched, takenOver };
}

// Shipping heartbeats every leg with a 2 s heartbeat timeout (workflows/order-fulfilment.ts): a shipment on a killed
// worker is retried on the other replica about 2 s later; charge and reserve are bounded by their 30 s start-to-close.
for (const fault of ['SIGKILL', 'SIGTERM'] as const) {
  const title =
    fault === 'SIGKILL'
      ? 'fault: a worker SIGKILLed mid-flight, two replicas'
      : 'fault: a worker replaced during a deploy (SIGTERM, a new replica)';
  describe(title, () => {
    let workers: RunningProcess[];
    const cluster = useFaultCluster(async (started) => {
      workers = await Promise.all([started.startWorker(), started.startWorker(), started.startApi()]).then((all) =>
        all.slice(0, 2),
      );
    });

    it('completes every acknowledged workflow, none failed, none duplicated', async (t) => {
      const callers = orderCallers(LOAD, () => cluster.apiUrl);
      await sleep(1_500);
      const faultAt = Date.now();
      const stoppedPid = workers[0]?.child.pid ?? -1;
      if (fault === 'SIGKILL') await workers[0]?.stop('SIGKILL', 1_000);
      else await Promise.all([workers[0]?.stop('SIGTERM', 30_000), cluster.startWorker()]);
      const outcomes = await callers;
      let lastCloseAt = faultAt;
      // Runs the stopped worker had worked on that were still open when it stopped: the work it held.
      let heldAtFault = 0;
      let takenOver = 0;
      const runs = await followCallers(cluster.client, outcomes, async (workflowId) => {
        const closeTime = (await cluster.client.workflow.getHandle(workflowId).describe()).closeTime;
        if (closeTime) lastCloseAt = Math.max(lastCloseAt, closeTime.getTime());
        const work = await historyOfWork(cluster.client, workflowId, stoppedPid);
        if (work.touched && (closeTime?.getTime() ?? Infinity) > faultAt) heldAtFault += 1;
        if (work.takenOver) takenOver += 1;
      });
      t.diagnostic(`runs the stopped worker held: ${heldAtFault}; runs with a task taken over: ${takenOver}`);
      const answers = tally(outcomes);
      assertCallersServed(t, ORDERS, {
        fault: title.replace('fault: ', ''),
        load: `${ORDERS} OrderFulfilment executes (waitMs=1000) over 1.5 s, two worker replicas`,
        ...runs,
        recoveryMs: lastCloseAt - faultAt,
        answers: { ...answers, 'runs the stopped worker held': heldAtFault, 'runs with a task taken over': takenOver },
      });
      assert.ok(heldAtFault > 0, 'the stopped worker held open runs when it stopped (else the test proves nothing)');
      // SIGKILL leaves what it held to time out and be retried elsewhere; SIGTERM finishes it within the grace time.
      if (fault === 'SIGKILL') assert.ok(takenOver > 0, 'a task the killed worker held was taken over');
    });
  });
}
