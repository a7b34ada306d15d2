import type { WorkflowContract } from '../../workflows/contract';
import { executeInputSchema, outcomeSchema, startedSchema, startInputSchema } from '../schemas';
import { publicProcedure, router } from '../trpc';
import { outcomeOf, resultUrlOf, startWorkflow } from '../workflow-operations';

const START_ERRORS = {
  400: 'Invalid input (fieldErrors name the field)',
  409: 'A workflow with this ID is running',
  503: 'Temporal unavailable',
};

/** The procedures one workflow type gets from its contract: start, and execute (start and wait, bounded). */
export function workflowTypeRouter<C extends WorkflowContract>(contract: C) {
  const type = contract.workflowType;
  const tags = [type];
  return router({
    /** Starts the workflow and answers with its workflow and run IDs at once. */
    start: publicProcedure
      .meta({
        openapi: {
          method: 'POST',
          path: `/workflows/${type}`,
          tags,
          summary: `Start ${type}: ${contract.summary}`,
          description: contract.description,
          errorResponses: START_ERRORS,
        },
      })
      .input(startInputSchema(contract.input))
      .output(startedSchema)
      .mutation(({ ctx, input }) => startWorkflow(ctx, type, input)),

    /** Starts the workflow and answers with its result; 202 with where to look when it outlasts the wait. */
    execute: publicProcedure
      .meta({
        openapi: {
          method: 'POST',
          path: `/workflows/${type}/execute`,
          tags,
          summary: `Execute ${type} and wait for its result`,
          description: `${contract.description} Answers 200 with the outcome once the workflow closes, or 202 with status RUNNING and resultUrl when waitMs passes first.`,
          successDescription: 'The outcome (200), or RUNNING with resultUrl (202)',
          errorResponses: START_ERRORS,
        },
      })
      .input(executeInputSchema(contract.input))
      .output(outcomeSchema(contract.output))
      .mutation(async ({ ctx, input }) => {
        const started = await startWorkflow(ctx, type, input);
        const outcome = await outcomeOf(ctx, started.workflowId, input.waitMs, started.runId);
        if (outcome.status === 'RUNNING')
          ctx.response = { status: 202, headers: { location: resultUrlOf(started.workflowId) } };
        return outcome;
      }),
  });
}
