import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { historyToJson } from '../test/helpers/history-json';
import { bundleWorkflows, createTestWorker, startTestServer } from '../test/helpers/temporal';
import * as workflows from '../workflows';
import { CALLBACK_DELIVERY_WORKFLOW_TYPE, deliveryWorkflowIdOf } from '../common/callbacks/delivery';
import type { callbackDeliveryWorkflow } from '../workflows/callback-delivery';
import {
  workflowContracts,
  type InternalWorkflowType,
  type WorkflowType as ContractType,
} from '../workflows/contracts';
import {
  orderFulfilmentContract,
  type OrderFulfilmentInput,
} from '../workflows/order-fulfilment/order-fulfilment.contract';

/**
 * Where test/replay.test.ts finds the recorded histories: `<WorkflowType>/<recipe>[.<recorded at>].json`, all
 * replayed. Histories accumulate: recording never rewrites a file, so those recorded from earlier versions of the
 * code stay as the baseline the replay test guards.
 */
export const HISTORIES_DIR = join(__dirname, '..', 'test', 'fixtures', 'histories');

// A workflow still running after this long is terminated, so that its history has an end.
const SETTLE_MS = 20_000;

/** Every registered type: the contracts' and the service's internal ones. */
type WorkflowType = ContractType | InternalWorkflowType;

type Start = { taskQueue: string; workflowId: string };
/** Starts one workflow and sends it whatever messages make its history representative. */
type Recipe = (client: Client, start: Start) => Promise<WorkflowHandle>;

function orderInput(orderId: string, overrides: Partial<OrderFulfilmentInput> = {}): OrderFulfilmentInput {
  return { ...orderFulfilmentContract.exampleInput, orderId, ...overrides };
}

// Above the approval threshold (100 000 cents): the order waits for approve or reject.
const LARGE_ORDER = { items: [{ sku: 'LAPTOP-PRO', quantity: 2, unitPriceCents: 80_000 }] };

async function awaitingApproval(handle: WorkflowHandle): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const status = await handle.query<{ step: string }>('status');
    if (status.step === 'awaiting_approval') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${handle.workflowId} never reached awaiting_approval`);
}

// Named histories per workflow type, one per path through the code; a type without recipes runs its
// contract's exampleInput (recipe "example").
const recipes: Partial<Record<WorkflowType, Record<string, Recipe>>> = {
  YourWorkflow: { greeting: (client, start) => client.workflow.start('YourWorkflow', { ...start, args: ['World'] }) },
  ActivityTimeoutWorkflow: {
    // The happy path: the activity finishes well inside its start-to-close timeout.
    'in-time': (client, start) =>
      client.workflow.start('ActivityTimeoutWorkflow', {
        ...start,
        args: [{ name: 'World', timeout: 'startToClose', timeoutMs: 5000, activityDelayMs: 200, maximumAttempts: 3 }],
      }),
  },
  StartActivityWorkflow: {
    // A cancellation scope and a RequestCancelActivityTask command are the parts that can drift.
    cancel: (client, start) =>
      client.workflow.start('StartActivityWorkflow', {
        ...start,
        args: [{ name: 'World', startedActivityDelayMs: 5000, cancelStartedActivity: true }],
      }),
  },
  CallbackDelivery: {
    // A callback whose every attempt fails (this worker has no signing secret): the wait, the attempts, the back-off
    // timers and giving up.
    'gives-up': async (client, start) => {
      const target = await client.workflow.start('YourWorkflow', {
        ...start,
        workflowId: `${start.workflowId}-run`,
        args: ['World'],
      });
      return client.workflow.signalWithStart<typeof callbackDeliveryWorkflow, [{ url: string }]>(
        CALLBACK_DELIVERY_WORKFLOW_TYPE,
        {
          ...start,
          workflowId: deliveryWorkflowIdOf(target.workflowId, target.firstExecutionRunId),
          args: [
            {
              run: {
                storedWorkflowId: target.workflowId,
                workflowId: target.workflowId,
                runId: target.firstExecutionRunId,
              },
              retryForMs: 1_500,
              initialIntervalMs: 200,
              maxIntervalMs: 500,
              attemptTimeoutMs: 1_000,
            },
          ],
          signal: 'addCallback',
          signalArgs: [{ url: 'http://127.0.0.1:9/hooks' }],
        },
      );
    },
  },
  ActionLinkHold: {
    // An action link's use record: one timer until the link expires.
    hold: (client, start) => client.workflow.start('ActionLinkHold', { ...start, args: [Date.now() + 300] }),
  },
  OrderFulfilment: {
    // Every kind of message: an order that needs approval, its address changed by an update, then approved.
    approval: async (client, start) => {
      const input = orderInput('order-replay-approval', LARGE_ORDER);
      const handle = await client.workflow.start('OrderFulfilment', { ...start, args: [input] });
      await handle.executeUpdate('changeShippingAddress', {
        args: [{ shippingAddress: { ...input.shippingAddress, line1: '1 Replay Road' } }],
      });
      await handle.signal('approve', { approvedBy: 'record-histories' });
      return handle;
    },
    // Nobody approves: the timer fires, stock is released, the order fails with ApprovalTimedOut.
    timeout: (client, start) =>
      client.workflow.start('OrderFulfilment', {
        ...start,
        args: [orderInput('order-replay-timeout', { ...LARGE_ORDER, approvalTimeoutMs: 500 })],
      }),
    // The fake gateway declines the card: compensation releases stock, the order fails with PaymentDeclined.
    decline: (client, start) =>
      client.workflow.start('OrderFulfilment', {
        ...start,
        args: [orderInput('order-replay-decline', { payment: { cardToken: 'tok_declined' } })],
      }),
    // Cancelled while awaiting approval: the cancellation handling compensates and the order ends cancelled.
    cancel: async (client, start) => {
      const input = orderInput('order-replay-cancel', LARGE_ORDER);
      const handle = await client.workflow.start('OrderFulfilment', { ...start, args: [input] });
      await awaitingApproval(handle);
      await handle.cancel();
      return handle;
    },
  },
};

function recipesOf(type: WorkflowType): Record<string, Recipe> {
  const named = recipes[type];
  if (named) return named;
  const contract = workflowContracts.find((c) => c.workflowType === type);
  if (!contract) throw new Error(`${type} is exported by workflows/index.ts but has no contract`);
  const input: unknown = contract.input.parse(contract.exampleInput);
  return { example: (client, start) => client.workflow.start(type, { ...start, args: [input] }) };
}

export interface Job {
  type: WorkflowType;
  name: string;
  recipe: Recipe;
}

/** Histories already recorded for a type; a recipe recorded again gets a new, dated file beside the old. */
function recordedNames(type: WorkflowType): string[] {
  const dir = join(HISTORIES_DIR, type);
  return existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith('.json')) : [];
}

/** The file a recording of `job` is written to: never one that exists. */
export function historyFileFor(job: Job): string {
  const taken = recordedNames(job.type);
  const plain = `${job.name}.json`;
  if (!taken.includes(plain)) return join(HISTORIES_DIR, job.type, plain);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return join(HISTORIES_DIR, job.type, `${job.name}.${stamp}.json`);
}

/**
 * What to record. Without arguments: the recipes of every workflow type that has no history yet (a new workflow),
 * and nothing else. With arguments (`OrderFulfilment`, `OrderFulfilment/cancel`): those recipes,
 * added as new files beside the ones already there.
 */
export function selectJobs(types: readonly WorkflowType[], args: readonly string[]): Job[] {
  const all = types.flatMap((type) =>
    Object.entries(recipesOf(type)).map(([name, recipe]) => ({ type, name, recipe })),
  );
  if (args.length === 0) {
    return all.filter((job) => recordedNames(job.type).length === 0);
  }
  const unknown = args.filter((arg) => !all.some((job) => arg === job.type || arg === `${job.type}/${job.name}`));
  if (unknown.length > 0) {
    throw new Error(
      `no recipe named ${unknown.join(', ')}; known: ${all.map((j) => `${j.type}/${j.name}`).join(', ')}`,
    );
  }
  return all.filter((job) => args.includes(job.type) || args.includes(`${job.type}/${job.name}`));
}

async function record(client: Client, job: Job, taskQueue: string): Promise<string> {
  const handle = await job.recipe(client, { taskQueue, workflowId: `record-${job.type}-${job.name}` });
  const ended = await Promise.race([
    handle.result().then(
      () => 'completed',
      () => 'failed',
    ),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), SETTLE_MS).unref()),
  ]);
  if (!ended) await handle.terminate('record-histories: still running after the settle time');
  const history = await handle.fetchHistory();
  const path = historyFileFor(job);
  mkdirSync(join(HISTORIES_DIR, job.type), { recursive: true });
  writeFileSync(path, historyToJson(history));
  return `${job.type}/${job.name}: ${ended ?? 'terminated'}, ${history.events?.length ?? 0} events → ${path}`;
}

/** Records the selected histories on a throwaway dev server (see selectJobs) for the replay test. */
async function main(args: string[]): Promise<void> {
  const jobs = selectJobs(Object.keys(workflows) as WorkflowType[], args);
  if (jobs.length === 0) {
    process.stdout.write(
      'every recipe has a recorded history; name one (e.g. OrderFulfilment/cancel) to add another\n',
    );
    return;
  }
  const [env, bundle] = await Promise.all([startTestServer(), bundleWorkflows()]);
  try {
    const taskQueue = 'record-histories';
    const worker = await createTestWorker(env, bundle, { taskQueue });
    const lines = await worker.runUntil(Promise.all(jobs.map((job) => record(env.client, job, taskQueue))));
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await env.teardown();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
