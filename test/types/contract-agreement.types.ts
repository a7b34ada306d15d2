// Type-level tests, compiled by `npm run typecheck` (never run): each `@ts-expect-error` line proves a check
// rejects what it must. If a check regresses and accepts the line, the directive is unused and typecheck fails.
import { setHandler } from '@temporalio/workflow';
import { z } from 'zod';
import { defineWorkflowContract, type ProgressOf } from '../../workflows/contract';
import { contractQuery, contractSignal, contractUpdate } from '../../workflows/contract-messages';
import type { Agree, RegistryDisagreements } from '../../workflows/registry-agreement';

function _counterContract() {
  return defineWorkflowContract({
    workflowType: 'Counter',
    summary: 'Counts',
    description: 'Counts what it is told to',
    input: z.object({ start: z.number().int() }),
    output: z.number(),
    exampleInput: { start: 0 },
    progressQuery: 'counted',
    signals: { add: { description: 'Adds', input: z.object({ by: z.number() }) } },
    queries: { counted: { description: 'The count', input: z.object({}), output: z.number() } },
    updates: {
      reset: { description: 'Resets', input: z.object({ to: z.number() }), output: z.object({ was: z.number() }) },
    },
  });
}
type Counter = ReturnType<typeof _counterContract>;

export function _progressQueryMustNameAQuery(): void {
  defineWorkflowContract({
    workflowType: 'Counter',
    summary: 'Counts',
    description: 'Counts',
    input: z.number(),
    output: z.number(),
    exampleInput: 0,
    // @ts-expect-error progressQuery names no query of this contract
    progressQuery: 'count',
    queries: { counted: { description: 'The count', input: z.object({}), output: z.number() } },
  });
  defineWorkflowContract({
    workflowType: 'Silent',
    summary: 'No queries',
    description: 'No queries',
    input: z.number(),
    output: z.number(),
    exampleInput: 0,
    // @ts-expect-error a contract without queries has no progress query
    progressQuery: 'status',
  });
  // The progress stream's type is the named query's output.
  const progress: ProgressOf<Counter> = 1;
  // @ts-expect-error progress of Counter is a number
  const wrongProgress: ProgressOf<Counter> = 'one';
  void [progress, wrongProgress];
}

export function _messageNamesComeFromTheContract(): void {
  // @ts-expect-error no signal of that name in the contract
  contractSignal<Counter>()('subtract');
  // @ts-expect-error no query of that name in the contract
  contractQuery<Counter>()('count');
  // @ts-expect-error no update of that name in the contract
  contractUpdate<Counter>()('set');
}

export function _handlersAgreeWithTheContractSchemas(): void {
  const counted = contractQuery<Counter>()('counted');
  setHandler(counted, () => 3);
  // @ts-expect-error the contract's query output is z.number(): a handler answering a string does not compile
  setHandler(counted, () => 'three');

  const add = contractSignal<Counter>()('add');
  setHandler(add, ({ by }) => void by);
  // @ts-expect-error the signal's argument is { by: number }
  setHandler(add, ({ amount }: { amount: number }) => void amount);

  const reset = contractUpdate<Counter>()('reset');
  setHandler(reset, ({ to }) => ({ was: to }));
  // @ts-expect-error the update's result is { was: number }
  setHandler(reset, ({ to }) => ({ previous: to }));
  // @ts-expect-error the update's argument is { to: number }
  setHandler(reset, (to: number) => ({ was: to }));
}

// Registration: the contracts the API serves against the workflows the worker registers.
type CounterWorkflow = (input: { start: number }) => Promise<number>;
type Registered<W> = RegistryDisagreements<Counter, W>;
type WithExtra = Registered<{ Counter: CounterWorkflow; Other: CounterWorkflow }>;
type WrongInput = Registered<{ Counter: (input: string) => Promise<number> }>;
type WrongOutput = Registered<{ Counter: (input: { start: number }) => Promise<string> }>;
type _Agreeing = Agree<Registered<{ Counter: CounterWorkflow }>>;
// @ts-expect-error a contract whose workflow is not registered (workflows/index.ts lacks the export)
type _ContractWithoutWorkflow = Agree<Registered<{}>>;
// @ts-expect-error a registered workflow with no contract (dropped from workflows/contracts.ts)
type _WorkflowWithoutContract = Agree<WithExtra>;
// @ts-expect-error the workflow takes another argument than the contract's parsed input
type _InputDisagrees = Agree<WrongInput>;
// @ts-expect-error the workflow returns what the contract's output schema would not accept
type _OutputDisagrees = Agree<WrongOutput>;
