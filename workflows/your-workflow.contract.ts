import { z } from 'zod';
import { defineWorkflowContract } from './contract';

/** The seed guide's workflow: greets one name. */
export const yourWorkflowContract = defineWorkflowContract({
  workflowType: 'YourWorkflow',
  summary: 'Greet a name',
  description:
    'Runs the your_activity activity with YourParams { greeting: "Hello", name } and returns "Hello, <name>!".',
  input: z.string().min(1, 'a name is required').max(256).describe('The name to greet'),
  output: z.string().describe('The greeting, e.g. "Hello, World!"'),
  exampleInput: 'World',
});

export type YourWorkflowInput = z.infer<typeof yourWorkflowContract.input>;
export type YourWorkflowOutput = z.infer<typeof yourWorkflowContract.output>;
