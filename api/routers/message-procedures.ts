import type { TRPCMutationProcedure, TRPCQueryProcedure } from '@trpc/server';
import { z } from 'zod';
import type { QueryContract, SignalContract, UpdateContract, WorkflowContract } from '../../workflows/contract';
import { idempotencyKeyHeader, updateIdFromKey } from '../idempotency';
import {
  runQuery,
  runUpdate,
  sendSignal,
  signalWithStart,
  updateWithStart,
  type UpdateOutcome,
} from '../message-operations';
import { startedSchema, UPDATE_DEFAULT_WAIT_MS, updateOutcomeSchema, waitMsField, workflowIdSchema } from '../schemas';
import { protectedProcedure, type ApiMeta } from '../trpc';

// The procedures are built from schemas known only at run time; their precise types (what a typed client sees)
// are stated once, below, from the contract's types.
type Mutation<I, O> = TRPCMutationProcedure<{ input: I; output: O; meta: ApiMeta }>;
type Query<I, O> = TRPCQueryProcedure<{ input: I; output: O; meta: ApiMeta }>;
type TypedUpdateOutcome<O> =
  Exclude<UpdateOutcome, { status: 'COMPLETED' }> | { updateId: string; status: 'COMPLETED'; result: O };
type Started = z.output<typeof startedSchema>;

type SignalProcedures<C extends WorkflowContract> = {
  [K in keyof C['signals']]: Mutation<
    z.input<C['signals'][K]['input']> & { workflowId: string },
    { workflowId: string; signal: string; status: 'SIGNALED' }
  >;
};
// z.object({}) infers Record<string, never>, whose index signature would make the merged-in workflowId `never`.
type QueryArgs<T> = T extends Record<string, never> ? {} : T;
type QueryProcedures<C extends WorkflowContract> = {
  [K in keyof C['queries']]: Query<
    QueryArgs<z.input<C['queries'][K]['input']>> & { workflowId: string },
    z.output<C['queries'][K]['output']>
  >;
};
type UpdateProcedures<C extends WorkflowContract> = {
  [K in keyof C['updates']]: Mutation<
    z.input<C['updates'][K]['input']> & { workflowId: string; waitMs?: number },
    TypedUpdateOutcome<z.output<C['updates'][K]['output']>>
  >;
};
type SignalWithStartProcedures<C extends WorkflowContract> = {
  [K in keyof C['signals']]: Mutation<
    { workflowId: string; input: z.input<C['input']>; signal: z.input<C['signals'][K]['input']> },
    Started
  >;
};
type UpdateWithStartProcedures<C extends WorkflowContract> = {
  [K in keyof C['updates']]: Mutation<
    { workflowId: string; input: z.input<C['input']>; update: z.input<C['updates'][K]['input']>; waitMs?: number },
    TypedUpdateOutcome<z.output<C['updates'][K]['output']>> & Started
  >;
};

const MESSAGE_ERRORS = {
  400: 'Invalid input, or the workflow is of another type',
  404: 'No workflow with this ID',
  409: 'The workflow is closed',
  503: 'Temporal unavailable',
};

/** A message route's input: the message's own fields plus the workflow ID from the path. */
type MessageInput = { workflowId: string } & Record<string, unknown>;

function mapRecord<V, P>(record: Record<string, V>, build: (name: string, entry: V) => P): Record<string, P> {
  return Object.fromEntries(Object.entries(record).map(([name, entry]) => [name, build(name, entry)]));
}

function signalProcedure(workflowType: string, name: string, signal: SignalContract) {
  return protectedProcedure
    .meta({
      scope: 'workflows:signal',
      openapi: {
        method: 'POST',
        path: `/workflows/{workflowId}/signals/${name}`,
        tags: [workflowType],
        summary: `Signal ${workflowType}: ${name}`,
        description: `${signal.description} Answers 202 once Temporal has recorded the signal.`,
        successDescription: 'Signal recorded (202)',
        errorResponses: MESSAGE_ERRORS,
      },
    })
    .input(signal.input.extend({ workflowId: workflowIdSchema }))
    .output(z.object({ workflowId: z.string(), signal: z.string(), status: z.literal('SIGNALED') }))
    .mutation(async ({ ctx, input }) => {
      const { workflowId, ...args } = input as MessageInput;
      await sendSignal(ctx, workflowType, workflowId, name, args);
      Object.assign(ctx.response, { status: 202 });
      return { workflowId, signal: name, status: 'SIGNALED' as const };
    });
}

function queryProcedure(workflowType: string, name: string, query: QueryContract) {
  return protectedProcedure
    .meta({
      scope: 'workflows:read',
      openapi: {
        method: 'GET',
        path: `/workflows/{workflowId}/queries/${name}`,
        tags: [workflowType],
        summary: `Query ${workflowType}: ${name}`,
        description: query.description,
        errorResponses: {
          ...MESSAGE_ERRORS,
          409: 'The workflow is closed and rejects queries',
          501: 'The worker does not answer this query',
        },
      },
    })
    .input(query.input.extend({ workflowId: workflowIdSchema }))
    .output(query.output)
    .query(({ ctx, input }) => runQuery(ctx, workflowType, (input as MessageInput).workflowId, name));
}

function updateProcedure(workflowType: string, name: string, update: UpdateContract) {
  return protectedProcedure
    .meta({
      scope: 'workflows:signal',
      openapi: {
        method: 'POST',
        path: `/workflows/{workflowId}/updates/${name}`,
        tags: [workflowType],
        summary: `Update ${workflowType}: ${name}`,
        description:
          `${update.description} 200 with the result; 202 with resultUrl if the update outlasts waitMs; 422 with the ` +
          "workflow's reason when its validator rejects the update. An Idempotency-Key header becomes the update ID, so a retried update runs once.",
        requestHeaders: idempotencyKeyHeader,
        errorResponses: { ...MESSAGE_ERRORS, 422: 'The workflow rejected the update (the reason is the message)' },
      },
    })
    .input(update.input.extend({ workflowId: workflowIdSchema, waitMs: waitMsField(UPDATE_DEFAULT_WAIT_MS) }))
    .output(updateOutcomeSchema(update.output))
    .mutation(async ({ ctx, input }) => {
      const { workflowId, waitMs, ...args } = input as MessageInput & { waitMs: number };
      const outcome = await runUpdate(ctx, {
        workflowType,
        workflowId,
        name,
        args,
        waitMs,
        updateId: updateIdFromKey(ctx.idempotencyKey),
      });
      if (outcome.status === 'ACCEPTED')
        Object.assign(ctx.response, { status: 202, headers: { location: outcome.resultUrl } });
      return outcome;
    });
}

function signalWithStartProcedure(contract: WorkflowContract, name: string, signal: SignalContract) {
  const type = contract.workflowType;
  return protectedProcedure
    .meta({
      scope: 'workflows:start',
      openapi: {
        method: 'POST',
        path: `/workflows/${type}/signal-with-start/${name}`,
        tags: [type],
        summary: `Signal ${type} with ${name}, starting it first if it is not running`,
        description: `Atomically starts ${type} with input unless a run with workflowId is open, then delivers the ${name} signal.`,
        errorResponses: { 400: 'Invalid input', 503: 'Temporal unavailable' },
      },
    })
    .input(z.strictObject({ workflowId: workflowIdSchema, input: contract.input, signal: signal.input }))
    .output(startedSchema)
    .mutation(({ ctx, input }) =>
      signalWithStart(ctx, {
        workflowType: type,
        workflowId: input.workflowId,
        input: input.input,
        signalName: name,
        signalArgs: input.signal,
      }),
    );
}

function updateWithStartProcedure(contract: WorkflowContract, name: string, update: UpdateContract) {
  const type = contract.workflowType;
  return protectedProcedure
    .meta({
      scope: 'workflows:start',
      openapi: {
        method: 'POST',
        path: `/workflows/${type}/update-with-start/${name}`,
        tags: [type],
        summary: `Start ${type} and answer at its ${name} milestone (early return)`,
        description: `Starts ${type} unless a run with workflowId is open, sends the ${name} update and answers with its result while the workflow goes on; 202 with resultUrl if the update outlasts waitMs.`,
        requestHeaders: idempotencyKeyHeader,
        errorResponses: { 400: 'Invalid input', 422: 'The workflow rejected the update', 503: 'Temporal unavailable' },
      },
    })
    .input(
      z.strictObject({
        workflowId: workflowIdSchema,
        input: contract.input,
        update: update.input,
        waitMs: waitMsField(UPDATE_DEFAULT_WAIT_MS),
      }),
    )
    .output(z.intersection(updateOutcomeSchema(update.output), startedSchema))
    .mutation(async ({ ctx, input }) => {
      const outcome = await updateWithStart(ctx, {
        workflowType: type,
        workflowId: input.workflowId,
        input: input.input,
        updateName: name,
        updateArgs: input.update,
        updateId: updateIdFromKey(ctx.idempotencyKey),
        waitMs: input.waitMs,
      });
      if (outcome.status === 'ACCEPTED')
        Object.assign(ctx.response, { status: 202, headers: { location: outcome.resultUrl } });
      return outcome;
    });
}

/** The message procedures of one contract: its signals, queries and updates, and their with-start forms. */
export function messageProcedures<C extends WorkflowContract>(contract: C) {
  const type = contract.workflowType;
  return {
    signals: mapRecord(contract.signals, (name, signal) =>
      signalProcedure(type, name, signal),
    ) as unknown as SignalProcedures<C>,
    queries: mapRecord(contract.queries, (name, query) =>
      queryProcedure(type, name, query),
    ) as unknown as QueryProcedures<C>,
    updates: mapRecord(contract.updates, (name, update) =>
      updateProcedure(type, name, update),
    ) as unknown as UpdateProcedures<C>,
    signalWithStart: mapRecord(contract.signals, (name, signal) =>
      signalWithStartProcedure(contract, name, signal),
    ) as unknown as SignalWithStartProcedures<C>,
    updateWithStart: mapRecord(contract.updates, (name, update) =>
      updateWithStartProcedure(contract, name, update),
    ) as unknown as UpdateWithStartProcedures<C>,
  };
}
