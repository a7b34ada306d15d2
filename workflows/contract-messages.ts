import type { QueryDefinition, SignalDefinition, UpdateDefinition } from '@temporalio/common';
// eslint-disable-next-line @typescript-eslint/no-restricted-imports -- the one place messages are defined
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { z } from 'zod';
import type { QueryName, SignalName, UpdateName, WorkflowContract } from './contract';

// Workflow code defines its message handlers here, so that their argument and result types are the contract's
// schemas' types, never restated: a handler that takes or returns something else fails to compile. Lint bans
// defineSignal/defineQuery/defineUpdate elsewhere under workflows/. Zod enters as types only.

// z.object({}) infers Record<string, never>: a message without fields is defined without arguments.
type MessageArgs<T> = T extends Record<string, never> ? [] : [T];

/** What a signal handler receives: the API sends the validated message object as the one argument. */
export type SignalArgs<C extends WorkflowContract, N extends SignalName<C>> = MessageArgs<
  z.output<C['signals'][N]['input']>
>;
/** Queries are sent without arguments (the API's query routes take only the workflow ID). */
export type QueryArgs = [];
export type QueryResult<C extends WorkflowContract, N extends QueryName<C>> = z.output<C['queries'][N]['output']>;
/** What an update handler receives: the validated message object, as the one argument. */
export type UpdateArgs<C extends WorkflowContract, N extends UpdateName<C>> = MessageArgs<
  z.output<C['updates'][N]['input']>
>;
export type UpdateResult<C extends WorkflowContract, N extends UpdateName<C>> = z.output<C['updates'][N]['output']>;

/** The signal `name` of contract `C`: `const approve = contractSignal<typeof orderContract>()('approve')`. */
export function contractSignal<C extends WorkflowContract>() {
  return <const N extends SignalName<C>>(name: N): SignalDefinition<SignalArgs<C, N>, N> =>
    defineSignal<SignalArgs<C, N>, N>(name);
}

/** The query `name` of contract `C`, answering the type of the contract's output schema. */
export function contractQuery<C extends WorkflowContract>() {
  return <const N extends QueryName<C>>(name: N): QueryDefinition<QueryResult<C, N>, QueryArgs, N> =>
    defineQuery<QueryResult<C, N>, QueryArgs, N>(name);
}

/** The update `name` of contract `C`, taking its input and returning its output schema's types. */
export function contractUpdate<C extends WorkflowContract>() {
  return <const N extends UpdateName<C>>(name: N): UpdateDefinition<UpdateResult<C, N>, UpdateArgs<C, N>, N> =>
    defineUpdate<UpdateResult<C, N>, UpdateArgs<C, N>, N>(name);
}
