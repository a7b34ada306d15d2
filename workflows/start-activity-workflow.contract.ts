import { z } from 'zod';
import { defineWorkflowContract } from './contract';

/** "Start an activity and keep its handle" versus "execute it and wait", the TypeScript way. */
export const startActivityWorkflowContract = defineWorkflowContract({
  workflowType: 'StartActivityWorkflow',
  summary: 'Start one activity, execute another meanwhile, then await or cancel the first',
  description:
    'Starts delayed_greeting inside a cancellation scope (the TypeScript form of start_activity: a promise is the handle), ' +
    'executes your_activity and waits for it (execute_activity), then either awaits the started one or cancels it.',
  input: z.strictObject({
    name: z.string().min(1).max(256),
    startedActivityDelayMs: z.number().int().min(0).max(600_000).default(500),
    cancelStartedActivity: z.boolean().default(false),
  }),
  output: z.object({
    executed: z.string().describe('Result of the activity executed and awaited at once'),
    started: z.string().nullable().describe('Result of the started activity, or null when it was cancelled'),
    startedActivityCancelled: z.boolean(),
  }),
  exampleInput: { name: 'World', startedActivityDelayMs: 500, cancelStartedActivity: false },
});

export type StartActivityWorkflowInput = z.infer<typeof startActivityWorkflowContract.input>;
export type StartActivityWorkflowOutput = z.infer<typeof startActivityWorkflowContract.output>;
