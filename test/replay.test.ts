import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { HISTORIES_DIR, historyFileFor, selectJobs } from '../scripts/record-histories';
import * as workflows from '../workflows';
import type { WorkflowType } from '../workflows/contracts';
import { historyFromJson } from './helpers/history-json';
import { bundleWorkflows } from './helpers/temporal';
import { workflowSinks } from '../worker/create-worker';
import { quietLogger } from './helpers/quiet-logger';

// Written by `npm run record-histories` (scripts/record-histories.ts): <WorkflowType>/<name>.json, several per type,
// kept from earlier versions of the code. Every one is replayed.
const CHANGED_WORKFLOWS_PATH = join(__dirname, 'fixtures', 'nondeterministic-workflows.ts');

function loadHistory(file: string): ReturnType<typeof historyFromJson> {
  return historyFromJson(JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')));
}

/** Recorded histories as `<WorkflowType>/<file>.json` paths under HISTORIES_DIR. */
function historyFiles(): string[] {
  if (!existsSync(HISTORIES_DIR)) return [];
  return readdirSync(HISTORIES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) =>
      readdirSync(join(HISTORIES_DIR, dir.name))
        .filter((file) => file.endsWith('.json'))
        .map((file) => `${dir.name}/${file}`),
    );
}

describe('replaying recorded histories', { timeout: 120_000 }, () => {
  let bundle: WorkflowBundleWithSourceMap;
  let tracedBundle: WorkflowBundleWithSourceMap;
  before(async () => {
    [bundle, tracedBundle] = await Promise.all([bundleWorkflows(), bundleWorkflows({ traced: true })]);
  });

  it('has a recorded history for every registered workflow type', () => {
    const recorded = new Set(historyFiles().map((file) => file.split('/')[0]));
    const missing = Object.keys(workflows).filter((type) => !recorded.has(type));
    assert.deepEqual(
      missing,
      [],
      `no recorded history for ${missing.join(', ')}: run \`npm run record-histories\` and commit test/fixtures/histories`,
    );
  });

  it('keeps the baseline and a history of each branch of the order', () => {
    const order = historyFiles().filter((file) => file.startsWith('OrderFulfilment/'));
    for (const name of ['baseline', 'approval', 'timeout', 'decline', 'cancel']) {
      assert.ok(
        order.includes(`OrderFulfilment/${name}.json`),
        `no OrderFulfilment/${name}.json in ${order.join(', ')}`,
      );
    }
  });

  it('records only what is missing or named: never rewrites a history', () => {
    const types = Object.keys(workflows) as WorkflowType[];
    // Every type has histories, so a plain `npm run record-histories` records nothing.
    assert.deepEqual(selectJobs(types, []), []);
    const named = selectJobs(types, ['OrderFulfilment/cancel', 'YourWorkflow']);
    assert.deepEqual(
      named.map((job) => `${job.type}/${job.name}`),
      ['OrderFulfilment/cancel', 'YourWorkflow/greeting'],
    );
    // A recipe recorded again lands in a new file beside the old one.
    const cancel = named.find((job) => job.name === 'cancel');
    assert.ok(cancel);
    assert.match(historyFileFor(cancel), /OrderFulfilment\/cancel\.[\dT-]+Z\.json$/);
    assert.throws(() => selectJobs(types, ['OrderFulfilment/nope']), /no recipe named OrderFulfilment\/nope/);
  });

  // Both bundles: replicas with and without tracing serve one task queue, so each must replay what the other wrote.
  for (const traced of [false, true]) {
    it(`replays every recorded history against the current workflow code (${traced ? 'traced' : 'default'} bundle)`, async () => {
      const files = historyFiles();
      assert.ok(files.length >= Object.keys(workflows).length, 'no histories to replay');
      const histories = files.map((file) => ({ workflowId: file, history: loadHistory(file) }));
      const failures: string[] = [];
      let replayed = 0;
      for await (const result of Worker.runReplayHistories(
        { workflowBundle: traced ? tracedBundle : bundle, sinks: workflowSinks() },
        histories,
      )) {
        replayed += 1;
        if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
      }
      assert.equal(replayed, histories.length);
      assert.deepEqual(
        failures,
        [],
        'workflow code no longer replays a recorded history: running workflows of that shape would break. Keep the old ' +
          'path behind patched() (or start a new workflow type) and add a history of the new path ' +
          '(`npm run record-histories -- <Type>/<recipe>`); never delete or re-record the old one.',
      );
    });
  }

  it('detects a nondeterministic change: a different activity replayed over the recorded history', async () => {
    const changed = await bundleWorkflowCode({ workflowsPath: CHANGED_WORKFLOWS_PATH, logger: quietLogger });
    await assert.rejects(
      Worker.runReplayHistory({ workflowBundle: changed }, loadHistory('YourWorkflow/baseline.json'), 'YourWorkflow'),
      (error: unknown) => {
        assert.ok(error instanceof DeterminismViolationError, `expected DeterminismViolationError, got ${error}`);
        assert.match(error.message, /your_activity|delayed_greeting/);
        return true;
      },
    );
  });
});
