import { z } from 'zod';
import { workflowContracts, type WorkflowType } from '../../workflows/contracts';
import {
  cancelWorkflow,
  describeTaskQueue,
  listWorkflows,
  terminateWorkflow,
  visibilityQuery,
} from '../operations/execution-operations';
import { updateResult } from '../operations/message-operations';
import { chargeWait } from '../auth/rate-limits';
import {
  describeOutputSchema,
  listedWorkflowSchema,
  resultInputSchema,
  taskQueueViewSchema,
  untypedOutcomeSchema,
  updateOutcomeSchema,
  UPDATE_DEFAULT_WAIT_MS,
  waitMsField,
  workflowIdSchema,
  workflowStatusSchema,
} from '../schemas';
import { protectedProcedure, router } from '../trpc';
import { describeWorkflow, outcomeOf } from '../operations/workflow-operations';
import { pageInputShape } from './page-input';
import { eventsInputSchema, trackedProgress } from './progress-subscription';

const tags = ['executions'];
const BY_ID_ERRORS = { 400: 'Invalid workflow ID', 404: 'No workflow with this ID', 503: 'Temporal unavailable' };
const registeredTypes = workflowContracts.map((contract) => contract.workflowType) as [WorkflowType, ...WorkflowType[]];
const listableStatuses = workflowStatusSchema.exclude(['PAUSED', 'UNKNOWN']);

/** Operations on workflow executions by ID, whatever their type, and the views operators need. */
export const executionsRouter = router({
  /** The workflow's outcome: its result once completed, why it did not complete, or RUNNING after a bounded wait. */
  result: protectedProcedure
    .meta({
      scope: 'workflows:read',
      openapi: {
        method: 'GET',
        path: '/workflows/{workflowId}/result',
        tags,
        summary: "Get a workflow's result, waiting up to waitMs",
        description:
          'status is COMPLETED (with result), FAILED / CANCELLED / TERMINATED / TIMED_OUT (with failure: type, message, causes), ' +
          'or RUNNING when waitMs passed first.',
        errorResponses: BY_ID_ERRORS,
      },
    })
    .input(resultInputSchema)
    .output(untypedOutcomeSchema)
    .query(async ({ ctx, input }) => {
      await chargeWait(ctx, input.waitMs);
      return outcomeOf(ctx, input.workflowId, input.waitMs);
    }),

  /** Describes a workflow: type, status, start and close time, task queue. */
  describe: protectedProcedure
    .meta({
      scope: 'workflows:read',
      openapi: {
        method: 'GET',
        path: '/workflows/{workflowId}',
        tags,
        summary: 'Describe a workflow',
        errorResponses: BY_ID_ERRORS,
      },
    })
    .input(z.strictObject({ workflowId: workflowIdSchema }))
    .output(describeOutputSchema)
    .query(({ ctx, input }) => describeWorkflow(ctx, input.workflowId)),

  /** Requests cancellation: the workflow's own cancellation handling (compensation included) runs before it closes. */
  cancel: protectedProcedure
    .meta({
      scope: 'workflows:cancel',
      openapi: {
        method: 'POST',
        path: '/workflows/{workflowId}/cancel',
        tags,
        summary: 'Cancel a workflow (its cancellation handling runs)',
        description:
          'Answers 202: cancellation is a request the workflow handles; watch result or events for the outcome (CANCELLED).',
        errorResponses: { ...BY_ID_ERRORS, 409: 'The workflow is already closed' },
      },
      successStatus: 202,
    })
    .input(z.strictObject({ workflowId: workflowIdSchema }))
    .output(z.object({ workflowId: z.string(), runId: z.string(), status: z.literal('CANCEL_REQUESTED') }))
    .mutation(({ ctx, input }) => cancelWorkflow(ctx, input.workflowId)),

  /** Terminates a workflow at once: no workflow code runs, the reason is recorded. */
  terminate: protectedProcedure
    .meta({
      scope: 'workflows:terminate',
      openapi: {
        method: 'POST',
        path: '/workflows/{workflowId}/terminate',
        tags,
        summary: 'Terminate a workflow immediately, with a reason',
        errorResponses: { ...BY_ID_ERRORS, 409: 'The workflow is already closed' },
      },
    })
    .input(
      z.strictObject({
        workflowId: workflowIdSchema,
        reason: z.string().min(1).max(1000).default('terminated through the API'),
      }),
    )
    .output(z.object({ workflowId: z.string(), runId: z.string(), status: z.literal('TERMINATED') }))
    .mutation(({ ctx, input }) => terminateWorkflow(ctx, input.workflowId, input.reason)),

  /** The result of an update that outlasted its wait (the resultUrl of a 202). */
  updateResult: protectedProcedure
    .meta({
      scope: 'workflows:read',
      openapi: {
        method: 'GET',
        path: '/workflows/{workflowId}/updates/{updateId}/result',
        tags,
        summary: "Get an update's result, waiting up to waitMs",
        errorResponses: { ...BY_ID_ERRORS, 422: 'The update failed or was rejected' },
      },
    })
    .input(
      z.strictObject({
        workflowId: workflowIdSchema,
        updateId: z.string().min(1).max(255),
        waitMs: waitMsField(UPDATE_DEFAULT_WAIT_MS),
      }),
    )
    .output(updateOutcomeSchema(z.unknown()))
    .query(async ({ ctx, input }) => {
      await chargeWait(ctx, input.waitMs);
      return updateResult(ctx, input.workflowId, input.updateId, input.waitMs);
    }),

  /** Lists workflows, newest first, filtered by registered type and status, a page at a time. */
  list: protectedProcedure
    .meta({
      scope: 'workflows:read',
      openapi: {
        method: 'GET',
        path: '/workflows',
        tags,
        summary: 'List workflows (Temporal visibility), with pagination',
        description:
          'Filters are typed and compiled into the visibility query; pass nextPageToken back as pageToken for the next page.',
        errorResponses: { 400: 'Invalid filter or page token', 503: 'Temporal unavailable' },
      },
    })
    .input(
      z.strictObject({
        type: z.enum(registeredTypes).optional(),
        status: listableStatuses.optional(),
        ...pageInputShape,
      }),
    )
    .output(z.object({ workflows: z.array(listedWorkflowSchema), nextPageToken: z.string().nullable() }))
    .query(({ ctx, input }) =>
      listWorkflows(ctx, {
        // The caller's tenant and workflow types are added by the gateway, on the server, never taken from the request.
        filter: visibilityQuery(input, registeredTypes),
        pageSize: input.pageSize,
        pageToken: input.pageToken,
      }),
    ),

  /** Who polls a task queue and what waits in it, for operators and autoscalers (KEDA metrics-api, HPA external metric). */
  taskQueue: protectedProcedure
    .meta({
      scope: 'workflows:read',
      openapi: {
        method: 'GET',
        path: '/task-queues/{taskQueue}',
        tags: ['operators'],
        summary: 'Pollers and backlog of a task queue',
        description:
          'backlog.workflowTasks + backlog.activityTasks is the number to scale worker replicas on. Temporal lists a ' +
          'poller for minutes after its worker died; pollers not seen within pollerStaleAfterSeconds are marked stale.',
        errorResponses: { 400: 'Invalid task queue name', 503: 'Temporal unavailable' },
      },
    })
    .input(
      z.strictObject({
        taskQueue: z
          .string()
          .min(1)
          .max(255)
          .regex(/^[A-Za-z0-9._:@=+-]+$/, 'not a task queue name'),
      }),
    )
    .output(taskQueueViewSchema)
    .query(({ ctx, input }) => describeTaskQueue(ctx, input.taskQueue)),

  /** Streams status and progress until the workflow closes (SSE); resumes from lastEventId after a dropped connection. */
  events: protectedProcedure
    .meta({ scope: 'workflows:read' })
    .input(eventsInputSchema)
    .subscription(({ ctx, input, signal }) => trackedProgress(ctx, input, signal)),
});
