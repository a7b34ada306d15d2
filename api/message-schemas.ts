import { z } from 'zod';
import { callbackSchema } from './callbacks/callback-schemas';
import { startedSchema, UPDATE_DEFAULT_WAIT_MS, updateOutcomeSchema, waitMsField, workflowIdSchema } from './schemas';

// The request and answer schemas of the message routes, built from a contract's message schemas. Typed clients
// see types inferred from these same functions (api/routers/typed-procedures.ts), so they cannot drift.

/** A signal route's input: the signal's own fields plus the workflow ID from the path. */
export function signalInputSchema<TShape extends z.ZodRawShape>(input: z.ZodObject<TShape>) {
  return input.extend({ workflowId: workflowIdSchema });
}

export const signaledSchema = z.object({ workflowId: z.string(), signal: z.string(), status: z.literal('SIGNALED') });

export function queryInputSchema<TShape extends z.ZodRawShape>(input: z.ZodObject<TShape>) {
  return input.extend({ workflowId: workflowIdSchema });
}

export function updateInputSchema<TShape extends z.ZodRawShape>(input: z.ZodObject<TShape>) {
  return input.extend({ workflowId: workflowIdSchema, waitMs: waitMsField(UPDATE_DEFAULT_WAIT_MS) });
}

export function signalWithStartInputSchema<TInput extends z.ZodType, TSignal extends z.ZodObject>(
  input: TInput,
  signal: TSignal,
) {
  return z.strictObject({ workflowId: workflowIdSchema, input, signal, callback: callbackSchema.optional() });
}

export function updateWithStartInputSchema<TInput extends z.ZodType, TUpdate extends z.ZodObject>(
  input: TInput,
  update: TUpdate,
) {
  return z.strictObject({
    workflowId: workflowIdSchema,
    input,
    update,
    waitMs: waitMsField(UPDATE_DEFAULT_WAIT_MS),
    callback: callbackSchema.optional(),
  });
}

export function updateWithStartOutputSchema<TOutput extends z.ZodType>(output: TOutput) {
  return z.intersection(updateOutcomeSchema(output), startedSchema);
}
