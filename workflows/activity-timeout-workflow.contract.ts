import { z } from 'zod';
import { defineWorkflowContract } from './contract';

export const activityTimeoutKinds = ['startToClose', 'scheduleToClose', 'scheduleToStart'] as const;

/** Shows the three activity timeouts: each one, set short enough, fails the workflow with a TimeoutFailure. */
export const activityTimeoutWorkflowContract = defineWorkflowContract({
  workflowType: 'ActivityTimeoutWorkflow',
  summary: 'Run a slow greeting under one of the three activity timeouts',
  description:
    'Executes the delayed_greeting activity with only the chosen timeout set. startToClose bounds one attempt; ' +
    'scheduleToClose bounds all attempts together (retries included); scheduleToStart bounds the time the task waits ' +
    'for a worker, e.g. on activityTaskQueue when no worker polls it. When the timeout fires the workflow fails with ' +
    'an ActivityFailure caused by a TimeoutFailure naming the timeout.',
  input: z.strictObject({
    name: z.string().min(1).max(256),
    timeout: z.enum(activityTimeoutKinds),
    timeoutMs: z.number().int().min(100).max(600_000),
    activityDelayMs: z.number().int().min(0).max(600_000).default(0),
    maximumAttempts: z.number().int().min(0).max(100).default(1).describe('0 means retry until a timeout stops it'),
    activityTaskQueue: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe("Task queue for the activity; the worker's own by default"),
  }),
  output: z.string(),
  exampleInput: { name: 'World', timeout: 'startToClose', timeoutMs: 1000, activityDelayMs: 0 },
});

export type ActivityTimeoutWorkflowInput = z.infer<typeof activityTimeoutWorkflowContract.input>;
export type ActivityTimeoutKind = (typeof activityTimeoutKinds)[number];
