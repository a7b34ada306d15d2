import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { historyToJson } from '../test/helpers/history-json';
import { bundleWorkflows, createTestWorker, startTestServer } from '../test/helpers/temporal';
import * as workflows from '../workflows';
import { workflowContracts, type WorkflowType } from '../workflows/contracts';
import {
  orderFulfilmentContract,
  type OrderFulfilmentInput,
} from '../workflows/order-fulfilment/order-fulfilment.contract';

/** Where test/replay.test.ts looks for one recorded history per workflow type. */
export const HISTORIES_DIR = join(__dirname, '..', 'test', 'fixtures', 'histories');

// A workflow still running after this long is terminated, so that its history has an end.
const SETTLE_MS = 20_000;

type Start = { taskQueue: string; workflowId: string };
/** Starts one workflow and sends it whatever messages make its history representative. */
type Recipe = (client: Client, start: Start) => Promise<WorkflowHandle>;

// Workflows without a recipe run with their contract's exampleInput.
const recipes: Partial<Record<WorkflowType, Recipe>> = {
  YourWorkflow: (client, start) => client.workflow.start('YourWorkflow', { ...start, args: ['World'] }),
  // The happy path: the activity finishes well inside its start-to-close timeout.
  ActivityTimeoutWorkflow: (client, start) =>
    client.workflow.start('ActivityTimeoutWorkflow', {
      ...start,
      args: [{ name: 'World', timeout: 'startToClose', timeoutMs: 5000, activityDelayMs: 200, maximumAttempts: 3 }],
    }),
  // The cancel path: a cancellation scope and a RequestCancelActivityTask command are the parts that can drift.
  StartActivityWorkflow: (client, start) =>
    client.workflow.start('StartActivityWorkflow', {
      ...start,
      args: [{ name: 'World', startedActivityDelayMs: 5000, cancelStartedActivity: true }],
    }),
  // Every kind of message: an order that needs approval, its address changed by an update, then approved.
  OrderFulfilment: async (client, start) => {
    const input: OrderFulfilmentInput = {
      ...orderFulfilmentContract.exampleInput,
      orderId: 'order-replay-1',
      approvalThresholdCents: 0,
    };
    const handle = await client.workflow.start('OrderFulfilment', { ...start, args: [input] });
    await handle.executeUpdate('changeShippingAddress', {
      args: [{ shippingAddress: { ...input.shippingAddress, line1: '1 Replay Road' } }],
    });
    await handle.signal('approve', { approvedBy: 'record-histories' });
    return handle;
  },
};

function defaultRecipe(type: WorkflowType): Recipe {
  const contract = workflowContracts.find((c) => c.workflowType === type);
  if (!contract) throw new Error(`${type} is exported by workflows/index.ts but has no contract`);
  const input: unknown = contract.input.parse(contract.exampleInput);
  return (client, start) => client.workflow.start(type, { ...start, args: [input] });
}

async function record(client: Client, type: WorkflowType, taskQueue: string): Promise<string> {
  const recipe = recipes[type] ?? defaultRecipe(type);
  const handle = await recipe(client, { taskQueue, workflowId: `record-${type}` });
  const ended = await Promise.race([
    handle.result().then(
      () => 'completed',
      () => 'failed',
    ),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), SETTLE_MS).unref()),
  ]);
  if (!ended) await handle.terminate('record-histories: still running after the settle time');
  const history = await handle.fetchHistory();
  const path = join(HISTORIES_DIR, `${type}.json`);
  writeFileSync(path, historyToJson(history));
  return `${type}: ${ended ?? 'terminated'}, ${history.events?.length ?? 0} events → ${path}`;
}

/** Runs every registered workflow once on a throwaway dev server and saves its history for replay tests. */
async function main(): Promise<void> {
  const types = Object.keys(workflows) as WorkflowType[];
  const [env, bundle] = await Promise.all([startTestServer(), bundleWorkflows()]);
  try {
    const taskQueue = 'record-histories';
    const worker = await createTestWorker(env, bundle, { taskQueue });
    mkdirSync(HISTORIES_DIR, { recursive: true });
    const lines = await worker.runUntil(Promise.all(types.map((type) => record(env.client, type, taskQueue))));
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await env.teardown();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
