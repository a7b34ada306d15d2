import type {
  AnyTRPCProcedure,
  AnyTRPCRouter,
  TRPCMutationProcedure,
  TRPCQueryProcedure,
  TRPCSubscriptionProcedure,
} from '@trpc/server';
import type { z } from 'zod';
import type { ProgressOf, WorkflowContract } from '../../workflows/contract';
import type * as messages from '../message-schemas';
import type { ProgressEvent } from '../progress/progress-stream';
import type { eventsInputSchema } from './progress-subscription';
import type {
  executeInputSchema,
  outcomeSchema,
  resultInputSchema,
  startedSchema,
  startInputSchema,
  updateOutcomeSchema,
} from '../schemas';
import type { ApiMeta } from '../trpc';

// Procedures built in a loop over contracts are typed by tRPC from the base `WorkflowContract`, so a typed client
// would see `unknown`. Their precise types are stated here, and only here, as the types the same schema-building
// functions infer for one contract; `typed()` is the one cast. test/types/typed-procedures.types.ts checks that
// these equal what tRPC infers for a procedure built from one concrete contract.

type Mutation<I, O> = TRPCMutationProcedure<{ input: I; output: O; meta: ApiMeta }>;
type Query<I, O> = TRPCQueryProcedure<{ input: I; output: O; meta: ApiMeta }>;
// What a client receives for each `tracked(id, data)` event (tRPC's TrackedData).
type Subscription<I, O> = TRPCSubscriptionProcedure<{
  input: I;
  output: AsyncIterable<{ id: string; data: O }>;
  meta: ApiMeta;
}>;

type Input<S extends z.ZodType> = z.input<S>;
type Output<S extends z.ZodType> = z.output<S>;

export type StartInput<C extends WorkflowContract> = Input<ReturnType<typeof startInputSchema<C['input']>>>;
export type ExecuteInput<C extends WorkflowContract> = Input<ReturnType<typeof executeInputSchema<C['input']>>>;
export type Started = Output<typeof startedSchema>;
/** A workflow's outcome with its result typed by the contract's output schema. */
export type TypedOutcome<C extends WorkflowContract> = Output<ReturnType<typeof outcomeSchema<C['output']>>>;
export type ResultInput = Input<typeof resultInputSchema>;

/** A progress event whose `progress` is the contract's progress query answer and whose `outcome` is typed. */
export type TypedProgressEvent<C extends WorkflowContract> = Omit<ProgressEvent, 'progress' | 'outcome'> & {
  progress?: ProgressOf<C>;
  outcome?: TypedOutcome<C>;
};
export type EventsInput = Input<typeof eventsInputSchema>;

type Signals<C extends WorkflowContract> = C['signals'];
type Queries<C extends WorkflowContract> = C['queries'];
type Updates<C extends WorkflowContract> = C['updates'];

export type SignalProcedures<C extends WorkflowContract> = {
  [K in keyof Signals<C>]: Mutation<
    Input<ReturnType<typeof messages.signalInputSchema<Signals<C>[K]['input']['shape']>>>,
    Output<typeof messages.signaledSchema>
  >;
};
export type QueryProcedures<C extends WorkflowContract> = {
  [K in keyof Queries<C>]: Query<
    Input<ReturnType<typeof messages.queryInputSchema<Queries<C>[K]['input']['shape']>>>,
    Output<Queries<C>[K]['output']>
  >;
};
export type UpdateProcedures<C extends WorkflowContract> = {
  [K in keyof Updates<C>]: Mutation<
    Input<ReturnType<typeof messages.updateInputSchema<Updates<C>[K]['input']['shape']>>>,
    Output<ReturnType<typeof updateOutcomeSchema<Updates<C>[K]['output']>>>
  >;
};
export type SignalWithStartProcedures<C extends WorkflowContract> = {
  [K in keyof Signals<C>]: Mutation<
    Input<ReturnType<typeof messages.signalWithStartInputSchema<C['input'], Signals<C>[K]['input']>>>,
    Started
  >;
};
export type UpdateWithStartProcedures<C extends WorkflowContract> = {
  [K in keyof Updates<C>]: Mutation<
    Input<ReturnType<typeof messages.updateWithStartInputSchema<C['input'], Updates<C>[K]['input']>>>,
    Output<ReturnType<typeof messages.updateWithStartOutputSchema<Updates<C>[K]['output']>>>
  >;
};

/** The typed procedures one workflow type gets from its contract. */
export type WorkflowTypeProcedures<C extends WorkflowContract> = {
  start: Mutation<StartInput<C>, Started>;
  execute: Mutation<ExecuteInput<C>, TypedOutcome<C>>;
  result: Query<ResultInput, TypedOutcome<C>>;
  events: Subscription<EventsInput, TypedProgressEvent<C>>;
};

/** The one cast: procedures (or routers) built from runtime schemas, seen with the types their contract infers. */
export function typed<T>(built: AnyTRPCProcedure | Record<string, AnyTRPCProcedure | AnyTRPCRouter>): T {
  return built as unknown as T;
}
