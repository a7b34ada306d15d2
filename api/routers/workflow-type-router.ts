import type { TRPCMutationProcedure } from '@trpc/server';
import type { z } from 'zod';
import type { WorkflowContract } from '../../workflows/contract';
import { idempotencyKeyHeader } from '../idempotency';
import {
  executeInputSchema,
  outcomeSchema,
  startedSchema,
  startInputSchema,
  type Outcome,
  type StartOptions,
} from '../schemas';
import { chargeWait } from '../rate-limits';
import { protectedProcedure, router, type ApiMeta } from '../trpc';
import { outcomeOfStarted, resultUrlOf, startWorkflow } from '../workflow-operations';
import { messageProcedures } from './message-procedures';

const START_ERRORS = {
  400: 'Invalid input (issues and data.fieldErrors name the field)',
  409: 'A workflow with this ID is running (data.details.existingRunId names it)',
  422: 'The Idempotency-Key was used with a different request',
  503: 'Temporal unavailable',
};

// Built from schemas known at run time; what a typed client sees is stated here from the contract's types.
type Mutation<I, O> = TRPCMutationProcedure<{ input: I; output: O; meta: ApiMeta }>;
type StartInput<C extends WorkflowContract> = {
  input: z.input<C['input']>;
  workflowId?: string;
  options?: StartOptions;
};
type TypedOutcome<C extends WorkflowContract> =
  | Exclude<Outcome, { status: 'COMPLETED' }>
  | { workflowId: string; runId: string; status: 'COMPLETED'; result: z.output<C['output']> };

function startProcedure(contract: WorkflowContract) {
  const type = contract.workflowType;
  return protectedProcedure
    .meta({
      scope: 'workflows:start',
      openapi: {
        method: 'POST',
        path: `/workflows/${type}`,
        tags: [type],
        summary: `Start ${type}: ${contract.summary}`,
        description: contract.description,
        requestHeaders: idempotencyKeyHeader,
        errorResponses: START_ERRORS,
      },
    })
    .input(startInputSchema(contract.input))
    .output(startedSchema)
    .mutation(({ ctx, input }) => startWorkflow(ctx, type, input));
}

function executeProcedure(contract: WorkflowContract) {
  const type = contract.workflowType;
  return protectedProcedure
    .meta({
      scope: 'workflows:start',
      openapi: {
        method: 'POST',
        path: `/workflows/${type}/execute`,
        tags: [type],
        summary: `Execute ${type} and wait for its result`,
        description: `${contract.description} Answers 200 with the outcome once the workflow closes, or 202 with status RUNNING and resultUrl when waitMs passes first.`,
        successDescription: 'The outcome (200), or RUNNING with resultUrl (202)',
        requestHeaders: idempotencyKeyHeader,
        errorResponses: START_ERRORS,
      },
    })
    .input(executeInputSchema(contract.input))
    .output(outcomeSchema(contract.output))
    .mutation(async ({ ctx, input }) => {
      await chargeWait(ctx, input.waitMs);
      const started = await startWorkflow(ctx, type, input);
      const outcome = await outcomeOfStarted(ctx, started.workflowId, started.runId, input.waitMs);
      if (outcome.status === 'RUNNING')
        Object.assign(ctx.response, { status: 202, headers: { location: resultUrlOf(started.workflowId) } });
      return outcome;
    });
}

/** The procedures one workflow type gets from its contract: start, execute, and its messages. */
export function workflowTypeRouter<C extends WorkflowContract>(contract: C) {
  const messages = messageProcedures(contract);
  return router({
    /** Starts the workflow and answers with its workflow and run IDs at once. */
    start: startProcedure(contract) as unknown as Mutation<StartInput<C>, z.output<typeof startedSchema>>,
    /** Starts the workflow and answers with its result; 202 with where to look when it outlasts the wait. */
    execute: executeProcedure(contract) as unknown as Mutation<StartInput<C> & { waitMs?: number }, TypedOutcome<C>>,
    signals: router(messages.signals),
    queries: router(messages.queries),
    updates: router(messages.updates),
    signalWithStart: router(messages.signalWithStart),
    updateWithStart: router(messages.updateWithStart),
  });
}
