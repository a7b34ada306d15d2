import type { z } from 'zod';

/** A signal: fire-and-forget input to a running workflow. The record key is its Temporal name. */
// Message inputs are objects: fields can be added without breaking callers, and the REST route merges the
// workflow ID from its path into the same object.
export interface SignalContract<TInput extends z.ZodObject = z.ZodObject> {
  readonly description: string;
  readonly input: TInput;
  /** A valid input, shown in the OpenAPI document (and pre-filled by /docs) when the fields need more than a string. */
  readonly exampleInput?: z.input<TInput>;
  /** A field naming who sent the signal (the order's approvedBy): with auth on, it must be the caller's own name. */
  readonly callerField?: keyof z.input<TInput> & string;
}

/** A query: a read of the workflow's state; `input` is an object of its arguments (often empty). */
export interface QueryContract<TInput extends z.ZodObject = z.ZodObject, TOutput extends z.ZodType = z.ZodType> {
  readonly description: string;
  readonly input: TInput;
  readonly output: TOutput;
}

/** An update: a validated, acknowledged change to a running workflow, with a result. */
export interface UpdateContract<TInput extends z.ZodObject = z.ZodObject, TOutput extends z.ZodType = z.ZodType> {
  readonly description: string;
  readonly input: TInput;
  readonly output: TOutput;
  /** A valid input, shown in the OpenAPI document (and pre-filled by /docs). */
  readonly exampleInput?: z.input<TInput>;
}

/**
 * Everything the API and the worker must agree on for one workflow type, written once.
 * The API builds its tRPC procedures, REST routes and OpenAPI schemas from it; the worker registers
 * the workflow under `workflowType`; tests fail when the two disagree on any name.
 */
export interface WorkflowContract<
  TType extends string = string,
  TInput extends z.ZodType = z.ZodType,
  TOutput extends z.ZodType = z.ZodType,
  TSignals extends Record<string, SignalContract> = Record<string, SignalContract>,
  TQueries extends Record<string, QueryContract> = Record<string, QueryContract>,
  TUpdates extends Record<string, UpdateContract> = Record<string, UpdateContract>,
> {
  /** The Temporal workflow type: the name any client (CLI, Python SDK, this API) starts it by. */
  readonly workflowType: TType;
  /** One line for the OpenAPI summary and the docs page. */
  readonly summary: string;
  readonly description: string;
  /**
   * The workflow's single argument. Use z.strictObject so that an unknown field is a 400 naming it rather than
   * silently dropped; z.looseObject opts a contract out (unknown fields then pass through to the workflow).
   */
  readonly input: TInput;
  readonly output: TOutput;
  /** A valid input, shown in the OpenAPI document and used by smoke tests. */
  readonly exampleInput: z.input<TInput>;
  /** The query whose answer the progress stream (SSE, tRPC subscription) reports while the workflow runs. */
  readonly progressQuery?: string;
  /** Message handlers the workflow defines, keyed by their Temporal names. */
  readonly signals: TSignals;
  readonly queries: TQueries;
  readonly updates: TUpdates;
}

/** Declares a contract; keeps literal types (names, schemas) for the registry and typed clients. */
export function defineWorkflowContract<
  const TType extends string,
  TInput extends z.ZodType,
  TOutput extends z.ZodType,
  const TSignals extends Record<string, SignalContract> = {},
  const TQueries extends Record<string, QueryContract> = {},
  const TUpdates extends Record<string, UpdateContract> = {},
  // Inferred from progressQuery, and constrained to the names the queries record declares.
  const TProgress extends keyof TQueries & string = never,
>(
  contract: Omit<
    WorkflowContract<TType, TInput, TOutput, TSignals, TQueries, TUpdates>,
    'signals' | 'queries' | 'updates' | 'progressQuery'
  > & {
    progressQuery?: TProgress;
    signals?: TSignals;
    queries?: TQueries;
    updates?: TUpdates;
  },
): WorkflowContract<TType, TInput, TOutput, TSignals, TQueries, TUpdates> & { readonly progressQuery?: TProgress } {
  return {
    ...contract,
    signals: contract.signals ?? ({} as TSignals),
    queries: contract.queries ?? ({} as TQueries),
    updates: contract.updates ?? ({} as TUpdates),
  };
}

/** Message names of a contract; workflow code defines its handlers with `workflows/contract-messages.ts`. */
export type SignalName<C extends WorkflowContract> = keyof C['signals'] & string;
export type QueryName<C extends WorkflowContract> = keyof C['queries'] & string;
export type UpdateName<C extends WorkflowContract> = keyof C['updates'] & string;

/** The progress query's answer, as the contract's schema types it; `undefined` for a contract without one. */
export type ProgressOf<C extends WorkflowContract> =
  NonNullable<C['progressQuery']> extends never
    ? undefined
    : NonNullable<C['progressQuery']> extends keyof C['queries']
      ? z.output<C['queries'][NonNullable<C['progressQuery']>]['output']>
      : undefined;
