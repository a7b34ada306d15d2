import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import * as workflows from '../workflows';
import { historyFromJson } from './helpers/history-json';
import { bundleWorkflows } from './helpers/temporal';
import { quietLogger } from './helpers/quiet-logger';

// Written by `npm run record-histories` (scripts/record-histories.ts), one file per workflow type.
const HISTORIES_DIR = join(__dirname, 'fixtures', 'histories');
const CHANGED_WORKFLOWS_PATH = join(__dirname, 'fixtures', 'nondeterministic-workflows.ts');

function loadHistory(file: string): ReturnType<typeof historyFromJson> {
  return historyFromJson(JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')));
}

const historyFiles = existsSync(HISTORIES_DIR) ? readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')) : [];

describe('replaying recorded histories', { timeout: 120_000 }, () => {
  let bundle: WorkflowBundleWithSourceMap;
  before(async () => {
    bundle = await bundleWorkflows();
  });

  it('has a recorded history for every registered workflow type', () => {
    const missing = Object.keys(workflows).filter((type) => !historyFiles.includes(`${type}.json`));
    assert.deepEqual(
      missing,
      [],
      `no recorded history for ${missing.join(', ')}: run \`npm run record-histories\` and commit test/fixtures/histories`,
    );
  });

  it('replays every recorded history against the current workflow code', async () => {
    assert.ok(historyFiles.length > 0, 'no histories to replay');
    const histories = historyFiles.map((file) => ({ workflowId: basename(file, '.json'), history: loadHistory(file) }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
      replayed += 1;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.equal(replayed, histories.length);
    assert.deepEqual(
      failures,
      [],
      'workflow code no longer replays its recorded history. If the change is meant to be incompatible, version it ' +
        '(patched() or a new workflow type); re-record (`npm run record-histories`) only for changes nothing runs yet.',
    );
  });

  it('detects a nondeterministic change: a different activity replayed over the recorded history', async () => {
    const changed = await bundleWorkflowCode({ workflowsPath: CHANGED_WORKFLOWS_PATH, logger: quietLogger });
    await assert.rejects(
      Worker.runReplayHistory({ workflowBundle: changed }, loadHistory('YourWorkflow.json'), 'YourWorkflow'),
      (error: unknown) => {
        assert.ok(error instanceof DeterminismViolationError, `expected DeterminismViolationError, got ${error}`);
        assert.match(error.message, /your_activity|delayed_greeting/);
        return true;
      },
    );
  });
});
