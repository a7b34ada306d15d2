import { z } from 'zod';
import { workflowIdSchema } from '../schemas';
import { protectedProcedure, router } from '../trpc';
import { callbacksOutputSchema } from './callback-schemas';
import { listCallbacks } from './list-callbacks';

/** The completion webhooks of a workflow's runs. */
export const callbacksRouter = router({
  /** Lists the callbacks of the workflow's latest run: where each goes, its attempts, last status and error. */
  list: protectedProcedure
    .meta({
      scope: 'workflows:read',
      openapi: {
        method: 'GET',
        path: '/workflows/{workflowId}/callbacks',
        tags: ['executions'],
        summary: "List a workflow's completion webhooks and their deliveries",
        description:
          'One entry per callback of the latest run: its webhook-id, URL (without query string), state, attempts, ' +
          'last HTTP status and error, delivered at. See the `workflowClosed` webhook for what is sent.',
        errorResponses: { 400: 'Invalid workflow ID', 404: 'No workflow with this ID', 503: 'Temporal unavailable' },
      },
    })
    .input(z.strictObject({ workflowId: workflowIdSchema }))
    .output(callbacksOutputSchema)
    .query(({ ctx, input }) => listCallbacks(ctx, input.workflowId)),
});
