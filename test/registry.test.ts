import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import * as workflows from '../workflows';
import { internalWorkflowTypes, workflowContracts } from '../workflows/contracts';
import { createTestWorker, uniqueName, useTestServer } from './helpers/temporal';
import { quietLogger } from './helpers/quiet-logger';

// Compile-time agreement (types, messages, registration) is workflows/registry-agreement.ts, checked by typecheck.

/** What of zod or the contract files made it into a workflow bundle; empty when the sandbox is clean. */
function sandboxLeaks(code: string): string[] {
  const leaks: string[] = [];
  if (code.includes('ZodError') || /node_modules\/zod\//.test(code)) leaks.push('zod');
  const modules = new Set(code.match(/\.\/workflows\/[\w./-]*contracts?\.ts/g) ?? []);
  return [...leaks, ...modules];
}

// Names a workflow answers for itself: the SDK's built-in queries, which no contract lists.
const isBuiltIn = (name: string): boolean => name.startsWith('__');

interface HandlerDefinitions {
  signalDefinitions?: { name: string }[];
  queryDefinitions?: { name: string }[];
  updateDefinitions?: { name: string }[];
}

describe('workflow registry', { timeout: 120_000 }, () => {
  const server = useTestServer();

  it('registers exactly the workflow types the contracts name', () => {
    const internal: readonly string[] = internalWorkflowTypes;
    const exported = Object.keys(workflows).filter((type) => !internal.includes(type));
    const contracted = workflowContracts.map((contract) => contract.workflowType);
    const noExport = contracted.filter((type) => !exported.includes(type));
    const noContract = exported.filter((type) => !contracted.includes(type as (typeof contracted)[number]));
    assert.deepEqual(noExport, [], `contracts whose workflowType workflows/index.ts does not export: ${noExport}`);
    assert.deepEqual(noContract, [], `workflows/index.ts exports without a contract in contracts.ts: ${noContract}`);
    assert.equal(new Set(contracted).size, contracted.length, 'two contracts share a workflowType');
  });

  it('keeps zod and the contract files out of the workflow server.bundle', async () => {
    assert.match(
      server.bundle.code,
      /\.\/workflows\/index\.ts/,
      'the server.bundle names its modules (the check below relies on it)',
    );
    assert.deepEqual(sandboxLeaks(server.bundle.code), []);

    // The same check on workflow code that imports a contract as a value does find the leak.
    const leaky = await bundleWorkflowCode({
      workflowsPath: join(__dirname, 'fixtures', 'zod-leaking-workflows.ts'),
      logger: quietLogger,
    });
    const found = sandboxLeaks(leaky.code);
    assert.ok(found.includes('zod') && found.includes('./workflows/your-workflow.contract.ts'), `found ${found}`);
  });

  it("registers each contract's signal, query and update names, and no others", async () => {
    const taskQueue = uniqueName('tq');
    const worker = await createTestWorker(server.env, server.bundle, { taskQueue });
    await worker.runUntil(
      Promise.all(
        workflowContracts.map(async (contract) => {
          const handle = await server.env.client.workflow.start(contract.workflowType, {
            taskQueue,
            workflowId: uniqueName(`wf-${contract.workflowType}`),
            args: [contract.input.parse(contract.exampleInput)],
          });
          try {
            // A closed workflow answers queries too (the worker replays it), so no workflow needs skipping.
            const { definition } = await handle.query<{ definition: HandlerDefinitions }>(
              '__temporal_workflow_metadata',
            );
            const names = (definitions: { name: string }[] = []): string[] =>
              definitions
                .map(({ name }) => name)
                .filter((name) => !isBuiltIn(name))
                .sort();
            assert.deepEqual(
              {
                signals: names(definition.signalDefinitions),
                queries: names(definition.queryDefinitions),
                updates: names(definition.updateDefinitions),
              },
              {
                signals: Object.keys(contract.signals).sort(),
                queries: Object.keys(contract.queries).sort(),
                updates: Object.keys(contract.updates).sort(),
              },
              `${contract.workflowType}: handlers registered by the workflow differ from its contract`,
            );
          } finally {
            await handle.terminate('test cleanup').catch((error: unknown) => {
              if (!(error instanceof WorkflowNotFoundError)) throw error; // already closed
            });
          }
        }),
      ),
    );
  });
});
