import { z } from 'zod';
import { describeOutputSchema, resultInputSchema, untypedOutcomeSchema, workflowIdSchema } from '../schemas';
import { publicProcedure, router } from '../trpc';
import { describeWorkflow, outcomeOf } from '../workflow-operations';

const tags = ['executions'];

/** Operations on one workflow execution by ID, whatever its type. */
export const executionsRouter = router({
  /** The workflow's outcome: its result once completed, why it did not complete, or RUNNING after a bounded wait. */
  result: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/workflows/{workflowId}/result',
        tags,
        summary: "Get a workflow's result, waiting up to waitMs",
        description:
          'status is COMPLETED (with result), FAILED / CANCELLED / TERMINATED / TIMED_OUT (with failure: type, message, causes), ' +
          'or RUNNING when waitMs passed first.',
        errorResponses: {
          400: 'Invalid workflow ID or waitMs',
          404: 'No workflow with this ID',
          503: 'Temporal unavailable',
        },
      },
    })
    .input(resultInputSchema)
    .output(untypedOutcomeSchema)
    .query(({ ctx, input }) => outcomeOf(ctx, input.workflowId, input.waitMs)),

  /** Describes a workflow: type, status, start and close time, task queue. */
  describe: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/workflows/{workflowId}',
        tags,
        summary: 'Describe a workflow',
        errorResponses: { 400: 'Invalid workflow ID', 404: 'No workflow with this ID', 503: 'Temporal unavailable' },
      },
    })
    .input(z.object({ workflowId: workflowIdSchema }))
    .output(describeOutputSchema)
    .query(({ ctx, input }) => describeWorkflow(ctx, input.workflowId)),
});
