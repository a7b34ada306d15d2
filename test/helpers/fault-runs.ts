import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { Client } from '@temporalio/client';
import { workflowIdFromKey } from '../../api/operations/idempotency';
import { finalStatus, reportFigures, runCount, type FaultFigures } from './fault-cluster';
import { executeUntilAcknowledged, runCallers, type CallOutcome } from './fault-load';
import { orderInput } from './orders';
import { uniqueName } from './temporal';

const ORDER = 'OrderFulfilment';

/** What Temporal itself holds for runs the API acknowledged, each followed to its end. */
export interface FollowedRuns {
  completed: number;
  failed: number;
  /** No such workflow in Temporal. */
  lost: number;
  /** More than one run for the ID. */
  duplicated: number;
  /** `<workflowId> <status>` of each run that did not complete. */
  unfinished: string[];
}

/**
 * Follows every run to its end in Temporal (not through the API). `settleBy` is one deadline for them all (else each
 * waits up to a minute); `inspect` looks further at each run once it is followed.
 */
export async function followRuns(
  client: Client,
  workflowIds: readonly string[],
  { settleBy, inspect }: { settleBy?: number; inspect?: (workflowId: string) => Promise<void> } = {},
): Promise<FollowedRuns> {
  const runs: FollowedRuns = { completed: 0, failed: 0, lost: 0, duplicated: 0, unfinished: [] };
  for (const workflowId of workflowIds) {
    const waitMs = settleBy === undefined ? undefined : Math.max(500, settleBy - Date.now());
    const status = await finalStatus(client, workflowId, waitMs);
    if (status === 'COMPLETED') runs.completed += 1;
    else if (status === 'NOT_FOUND') runs.lost += 1;
    else runs.failed += 1;
    if (status !== 'COMPLETED') runs.unfinished.push(`${workflowId} ${status}`);
    if ((await runCount(client, workflowId)) > 1) runs.duplicated += 1;
    await inspect?.(workflowId);
  }
  return runs;
}

/** How callers load the API: how many, how far apart they start, their waitMs, request bound and when they give up. */
export interface OrderLoad {
  count: number;
  spacingMs: number;
  waitMs: number;
  requestBoundMs: number;
  giveUpMs: number;
}

/**
 * `load.count` callers, each executing an OrderFulfilment (orders take a few seconds, so many are in flight across a
 * fault) until acknowledged or `giveUpMs` from now, retrying with its own Idempotency-Key.
 */
export function orderCallers(
  load: OrderLoad,
  baseUrl: () => string,
  headers?: Record<string, string>,
): Promise<CallOutcome[]> {
  const giveUpAt = Date.now() + load.giveUpMs;
  return runCallers(load.count, load.spacingMs, () =>
    executeUntilAcknowledged({
      baseUrl,
      path: `/api/workflows/${ORDER}/execute`,
      body: { input: orderInput(), waitMs: load.waitMs },
      key: uniqueName('key'),
      requestBoundMs: load.requestBoundMs,
      giveUpAt,
      headers,
    }),
  );
}

/** The figures of the callers' orders as Temporal holds them; every ID an answer named is the one its key names. */
export async function followCallers(
  client: Client,
  outcomes: CallOutcome[],
  inspect?: (workflowId: string) => Promise<void>,
): Promise<Pick<FaultFigures, 'acknowledged' | 'completed' | 'failed' | 'lost' | 'duplicated'>> {
  for (const outcome of outcomes)
    if (outcome.workflowId) assert.equal(outcome.workflowId, workflowIdFromKey(ORDER, outcome.key));
  const acknowledged = outcomes.filter((outcome) => outcome.acknowledged);
  const ids = acknowledged.map((outcome) => workflowIdFromKey(ORDER, outcome.key));
  const { unfinished: _unfinished, ...runs } = await followRuns(client, ids, { inspect });
  return { acknowledged: acknowledged.length, ...runs };
}

/**
 * Reports a fault's figures (FAULT-FIGURES), then holds them to what every fault under callers' load promises: each
 * request answered by its bound, no 503 hiding a started run, no answer outside 200/202/503, every caller acknowledged
 * in the end, and each acknowledged run completed exactly once.
 */
export function assertCallersServed(t: TestContext, callers: number, figures: FaultFigures): void {
  reportFigures((message) => t.diagnostic(message), figures);
  const { answers } = figures;
  assert.equal(answers['hang'] ?? 0, 0, 'every request answered (or cut) by its bound');
  assert.equal(answers['503 hiding a run'] ?? 0, 0, 'no 503 hides a started run');
  assert.equal(answers['other'] ?? 0, 0, 'no answer outside 200/202/503');
  assert.equal(figures.acknowledged, callers, 'every caller was acknowledged in the end');
  assert.equal(figures.lost, 0, 'no acknowledged run lost');
  assert.equal(figures.failed, 0, 'no acknowledged run failed');
  assert.equal(figures.duplicated, 0, 'exactly one execution per key');
  assert.equal(figures.completed, figures.acknowledged, 'every acknowledged run completed');
}
