import { z } from 'zod';
import { callbackSchema } from './callbacks/callback-schemas';

/** A workflow ID: URL-safe so that it can stand in a REST path. */
export const workflowIdSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@=+-]*$/, 'use letters, digits and . _ : @ = + - (starting with a letter or digit)')
  .describe('Workflow ID; business data or an idempotency key makes retries safe');

export const workflowStatusSchema = z
  .enum([
    'RUNNING',
    'COMPLETED',
    'FAILED',
    'CANCELLED',
    'TERMINATED',
    'CONTINUED_AS_NEW',
    'TIMED_OUT',
    'PAUSED',
    'UNKNOWN',
  ])
  .describe('Temporal execution status');
export type WorkflowStatus = z.infer<typeof workflowStatusSchema>;

const failureLinkSchema = z.object({
  type: z
    .string()
    .describe('Failure class, e.g. ApplicationFailure, ActivityFailure, TimeoutFailure, CancelledFailure'),
  message: z.string(),
  applicationErrorType: z.string().optional().describe('ApplicationFailure type given by the workflow or activity'),
  timeoutType: z
    .string()
    .optional()
    .describe('For TimeoutFailure: START_TO_CLOSE, SCHEDULE_TO_START, SCHEDULE_TO_CLOSE, HEARTBEAT'),
  nonRetryable: z.boolean().optional(),
});

/** Why a workflow did not complete: the outer failure, then its causes from outermost to root. */
export const failureSchema = failureLinkSchema.extend({ causes: z.array(failureLinkSchema) });
export type FailureInfo = z.infer<typeof failureSchema>;

export const startedSchema = z.object({
  workflowId: z.string(),
  runId: z.string(),
});

/** An update's outcome: its typed result, or ACCEPTED with where to fetch the result when it outlasts the wait. */
export function updateOutcomeSchema<TOutput extends z.ZodType>(output: TOutput) {
  return z.discriminatedUnion('status', [
    z.object({ updateId: z.string(), status: z.literal('COMPLETED'), result: output }),
    z.object({ updateId: z.string(), status: z.literal('ACCEPTED'), resultUrl: z.string() }),
  ]);
}
/** An update's outcome whatever its result type (what the operations return). */
export type UpdateOutcome = z.infer<ReturnType<typeof updateOutcomeSchema<z.ZodUnknown>>>;

export const waitMsField = (defaultMs: number) =>
  z
    .number()
    .int()
    .min(0)
    .default(defaultMs)
    .describe("How long to wait for the result, in ms (bounded by the server's MAX_WAIT_MS)");

export const EXECUTE_DEFAULT_WAIT_MS = 10_000;
export const UPDATE_DEFAULT_WAIT_MS = 10_000;
export const RESULT_DEFAULT_WAIT_MS = 0;

/** Start options a caller may set; see Temporal's workflow ID conflict and reuse policies. */
export const startOptionsSchema = z
  .strictObject({
    idConflictPolicy: z
      .enum(['FAIL', 'USE_EXISTING', 'TERMINATE_EXISTING'])
      .optional()
      .describe(
        'When a run with this ID is open: FAIL (409, the default), USE_EXISTING (answer with that run), TERMINATE_EXISTING',
      ),
    idReusePolicy: z
      .enum(['ALLOW_DUPLICATE', 'ALLOW_DUPLICATE_FAILED_ONLY', 'REJECT_DUPLICATE'])
      .optional()
      .describe(
        'When a closed run with this ID exists: ALLOW_DUPLICATE (the default), ALLOW_DUPLICATE_FAILED_ONLY, REJECT_DUPLICATE (409)',
      ),
  })
  .describe('Set neither with an Idempotency-Key header: the key decides them');
export type StartOptions = z.infer<typeof startOptionsSchema>;

/** The one body shape every workflow type is started with. */
export function startInputSchema<TInput extends z.ZodType>(input: TInput) {
  // Strict: a misspelt key (workflowID) is a 400 naming it, never a run under a random ID.
  return z.strictObject({
    input,
    workflowId: workflowIdSchema.optional(),
    options: startOptionsSchema.optional(),
    callback: callbackSchema.optional(),
  });
}

export function executeInputSchema<TInput extends z.ZodType>(input: TInput) {
  return startInputSchema(input).extend({ waitMs: waitMsField(EXECUTE_DEFAULT_WAIT_MS) });
}

export const resultInputSchema = z.strictObject({
  workflowId: workflowIdSchema,
  waitMs: waitMsField(RESULT_DEFAULT_WAIT_MS),
});

const outcomeBase = { workflowId: z.string(), runId: z.string() };

const unfinishedOutcomeSchemas = [
  z.object({
    ...outcomeBase,
    status: z.literal('RUNNING'),
    resultUrl: z.string().describe('Where to fetch the result later (REST)'),
  }),
  z.object({
    ...outcomeBase,
    status: z.enum(['FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT']),
    failure: failureSchema,
  }),
  z.object({ ...outcomeBase, status: z.enum(['CONTINUED_AS_NEW', 'PAUSED', 'UNKNOWN']) }),
] as const;

/** A workflow's outcome so far: its typed result once completed, its failure once closed otherwise, or RUNNING. */
export function outcomeSchema<TOutput extends z.ZodType>(output: TOutput) {
  return z.discriminatedUnion('status', [
    z.object({ ...outcomeBase, status: z.literal('COMPLETED'), result: output }),
    ...unfinishedOutcomeSchemas,
  ]);
}

export const untypedOutcomeSchema = outcomeSchema(z.unknown().describe("The workflow's return value"));
export type Outcome = z.infer<typeof untypedOutcomeSchema>;

export const describeOutputSchema = z.object({
  workflowId: z.string(),
  runId: z.string(),
  type: z.string(),
  status: workflowStatusSchema,
  taskQueue: z.string(),
  startTime: z.iso.datetime(),
  executionTime: z.iso.datetime().nullable(),
  closeTime: z.iso.datetime().nullable(),
  historyLength: z.number().int(),
});
export type WorkflowDescription = z.infer<typeof describeOutputSchema>;

/** A workflow in a list (executions.list). */
export const listedWorkflowSchema = describeOutputSchema
  .pick({ workflowId: true, runId: true, type: true, status: true, taskQueue: true })
  .extend({ startTime: z.string().nullable(), closeTime: z.string().nullable() });
export type ListedWorkflow = z.infer<typeof listedWorkflowSchema>;
export type Poller = z.infer<typeof pollerSchema>;

export const pollerSchema = z.object({
  identity: z.string(),
  lastAccessTime: z.string().nullable(),
  stale: z.boolean().describe('Not seen within pollerStaleAfterSeconds: most likely a worker that crashed'),
});

/** Who polls a task queue and how much waits in it (executions.taskQueue). */
export const taskQueueViewSchema = z.object({
  taskQueue: z.string(),
  // Pollers not seen for this long are marked stale: Temporal lists a crashed worker for minutes.
  pollerStaleAfterSeconds: z.number(),
  workflowPollers: z.array(pollerSchema),
  activityPollers: z.array(pollerSchema),
  backlog: z.object({
    workflowTasks: z.number(),
    activityTasks: z.number(),
    oldestWorkflowTaskAgeSeconds: z.number(),
    oldestActivityTaskAgeSeconds: z.number(),
  }),
});
export type TaskQueueView = z.infer<typeof taskQueueViewSchema>;
